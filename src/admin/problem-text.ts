// A refused field in the reader's language. English is the rule as the admin API has always worded it;
// Chinese is written here, as JD and Taobao word a form's problems (您, full-width punctuation, no
// developer text): first by the rule's exact English wording, then by the rule id and its values
// (dates written in the partner's zone, fields and phases by name), and a plain "please check" for a
// rule not worded here yet — never the English text. The admin API's other refusals (not found, conflict,
// forbidden, rate limited …) likewise: by their rule when they name one, else by their error code.

import type { Locale } from '../../providers/contract.ts';
import type { ErrorCode, FieldProblem } from '../errors.ts';
import { pickLocale } from '../i18n/locale.ts';
import {
  AT_CUTOFF_RULE,
  DATE_RULE,
  GRACE_NEEDS_CUTOFF,
  NOTICE_LOCALES_RULE,
  NOTICE_NEEDS_CUTOFF,
  NOTICE_OBJECT_RULE,
  NOTICE_TEXT_RULE,
  SCHEDULE_FIELD_RULE,
} from '../partners/schedule.ts';
import { formatInstant } from '../time/instant.ts';
import { URL_RULES } from '../webhooks/address-policy.ts';
import { adminTranslator, isAdminMessage } from './pages/messages.ts';
import { FORMAT_RULE } from './routes-impact.ts';
import { DELIVERIES_LIMIT_RULE, EVENTS_RULE, URL_REQUIRED } from './routes-webhooks.ts';
import { DAYS_RULE, FLAG_RULE, NON_EMPTY, REQUIRED, SLUG_RULE } from './validate.ts';

/** Rules by their English wording. */
const ZH_EXACT: Record<string, string> = {
  [REQUIRED]: '请填写此项。',
  [NON_EMPTY]: '请填写内容，不能为空。',
  [FLAG_RULE]: '请选择“是”或“否”。',
  [SLUG_RULE]: '请使用 1–40 位小写字母、数字或连字符（-），并以字母或数字开头和结尾。',
  [`is required and ${SLUG_RULE}`]: '请填写此项：1–40 位小写字母、数字或连字符（-），并以字母或数字开头和结尾。',
  'must be a JSON object': '格式不正确，请提交 JSON 对象。',
  [DATE_RULE]: '请填写带时差或时区的日期和时间，例如 2013-09-25T00:00+08:00；留空即删除该日期。',
  [NOTICE_TEXT_RULE]: '请填写预告文字，或留空使用默认文字。',
  [NOTICE_NEEDS_CUTOFF]: '请同时填写停止时间：预告是提前告诉顾客何时停止登录。',
  [GRACE_NEEDS_CUTOFF]: '请同时填写停止时间：宽限期从停止时间开始。',
  [AT_CUTOFF_RULE]: '请选择“保留”（刷新令牌保留到过期）或“撤销”。',
  [NOTICE_LOCALES_RULE]: '预告文字只有中文和英文两种。',
  [NOTICE_OBJECT_RULE]: '预告文字的格式不正确。',
  [SCHEDULE_FIELD_RULE]: '不是计划中可以填写的项目。',
  // Partners, clients and managers (admin API only).
  'must be a non-empty list of distinct locales among "zh-CN" and "en" (the first is the default)':
    '请从“zh-CN”和“en”中选择至少一种语言，不能重复（第一种为默认语言）。',
  'must be an IANA time zone such as Asia/Shanghai': '请填写 IANA 时区名称，例如 Asia/Shanghai。',
  'only zh-CN and en names exist': '商店名称只有中文和英文两种。',
  'must be an object with the shop name in both languages: {"zh-CN": "…", "en": "…"}': '请填写中文和英文两种商店名称。',
  'must be {"keys": [public JWK, …]} with 1 to 10 keys': '请提供 1 至 10 个公钥（JWK）。',
  'must be a list of 1 to 10 public JSON Web Keys': '请提供 1 至 10 个公钥（JWK）。',
  'is required: a JSON Web Key names its key type': '请填写密钥类型（kty）。',
  'must be a JSON Web Key with "kty"': '请提供含密钥类型（kty）的公钥（JWK）。',
  'must be a public key: it carries private key material': '只能提供公钥：其中包含私钥内容。',
  'must be one of client_secret_basic, client_secret_post, private_key_jwt, none':
    '请从 client_secret_basic、client_secret_post、private_key_jwt、none 中选择。',
  'is required for private_key_jwt: {"keys": [public JWK, …]} with 1 to 10 keys': '使用 private_key_jwt 时，请提供 1 至 10 个公钥（JWK）。',
  'is only for token_endpoint_auth_method "private_key_jwt"': '只有使用 private_key_jwt 时才能提供公钥。',
  'is only for confidential clients: a public client (token_endpoint_auth_method "none") always uses PKCE':
    '只适用于机密客户端：公开客户端（none）始终使用 PKCE。',
  'must be a non-empty array of partner ids': '请至少填写一个商家 ID。',
  'must be a partner id': '请填写商家 ID。',
  'must list at most 50 partners': '最多 50 个商家。',
  'must be an absolute https URL': '请填写完整的 https 地址。',
  'must not contain wildcards (*): every redirect URI is matched exactly': '不能包含通配符（*）：回调地址必须完全一致。',
  'must not contain a fragment (#)': '不能包含片段（#）。',
  'must use https (http is refused in production)': '必须使用 https（生产环境不接受 http）。',
  'must use https (http only for localhost or 127.0.0.1, outside production)': '必须使用 https（http 仅限非生产环境的 localhost 或 127.0.0.1）。',
  'must use https': '必须使用 https。',
  'must not contain user info (user@host)': '不能包含用户信息（user@host）。',
  'is listed twice': '同一个地址填写了两次。',
  'must be a non-empty array of absolute https URLs': '请至少填写一个完整的 https 地址。',
  'must be an array of absolute https URLs': '请填写完整的 https 地址列表。',
  'must list at most 20 URLs': '最多 20 个地址。',
  'must be given once': '只能填写一次。',
  'must be "zh-CN" or "en"': '请选择“zh-CN”或“en”。',
  'must be a whole number from 1 to 500': '请填写 1 至 500 之间的整数。',
  [DAYS_RULE]: '请填写 1 至 400 之间的整数天数。',
  'must be the "next" cursor of a previous page': '链接已失效，请使用上一页返回的“next”。',
  // Webhook endpoints and their delivery log.
  [URL_REQUIRED]: '请填写接收地址。',
  [URL_RULES.absolute]: '请填写完整的 https 地址。',
  [URL_RULES.https]: '必须使用 https 地址。',
  [URL_RULES.userInfo]: '地址中不能包含用户名或密码。',
  [URL_RULES.fragment]: '不能包含片段（#）。',
  [URL_RULES.privateAddress]: '不能使用内网、本机或保留地址，接收地址必须能从公网访问。',
  [EVENTS_RULE]: '请至少选择一种要接收的事件。',
  [DELIVERIES_LIMIT_RULE]: '请填写 1 至 200 之间的整数。',
  // The impact report's query.
  [FORMAT_RULE]: '请选择 json 或 csv 格式。',
  // A shop's brand.
  "must be a colour written #rrggbb, or null to use Denglu's": '请填写 #rrggbb 格式的颜色，或留空使用 Denglu 的颜色。',
  'must be a data URL or base64 of a PNG or SVG image, or null to remove it': '请上传 PNG 或 SVG 图片。',
};

/** Rules by id; `{name}` takes the problem's value of that name, written for people. */
const ZH_RULES: Record<string, string> = {
  'text.max': '最多 {max} 个字符。',
  'text.min': '至少 {min} 个字符。',
  'list.max': '最多 {max} 项。',
  'list.min': '至少 {min} 项。',
  'field.unknown': '不是可以填写的项目。',
  'zod.invalid_type': '格式不正确，请检查后重新填写。',
  'zod.invalid_value': '不是可以选择的值，请重新选择。',
  'zod.invalid_format': '格式不正确，请检查后重新填写。',
  'schedule.order': '必须晚于{first}（{firstAt}），当前填写的是 {secondAt}。',
  'schedule.closesNow': '保存后会立即停止{provider}登录，顾客不会收到任何预告。如确需立即停止，请勾选“立即生效”后再保存。',
  'schedule.closesNow.at': '{at}已经过去，保存后会立即停止{provider}登录，顾客不会收到任何预告。如确需立即停止，请勾选“立即生效”后再保存。',
  'provider.unknown': '“{provider}”不是 Denglu 支持的登录方式（支持：{known}）。',
  'integration.removeActive': '{provider}目前处于{phase}，不能直接移除。请先安排停止时间，让顾客收到预告并迁移账号。',
  'instant.missing': '请填写带时差或时区的日期和时间，例如 {suggestions}。',
  'instant.badOffset': '“{text}”的时差不存在（时差范围为 -12:00 至 +14:00），请写成 {suggestions}。',
  'instant.invalid': '“{text}”不是有效的日期和时间。',
  'instant.badZone': '“{zone}”不是有效的时区名称，请写成例如 {suggestions}。',
  'instant.noZone': '“{text}”没有写明时差或时区，无法确定是哪个时刻。请写成 {suggestions}。',
  'instant.notDate': '“{text}”不是日期和时间，请按此格式填写：{suggestions}。',
  'instant.skipped': '{zone} 没有“{text}”这个时刻（夏令时开始时跳过），请填写存在的时间，例如 {after}。',
  'instant.twice': '“{text}”在 {zone} 出现两次（夏令时结束），请写明时差：{suggestions}。',
  'body.json': '请求内容不是有效的 JSON。',
  'body.tooLarge': '请求内容不能超过 {max}。',
  'impact.cutoffMissing': '{provider}还没有安排截止时间，请填写要估算的截止时间。',
  'impact.graceBeforeCutoff': '宽限期结束时间不能早于截止时间。',
  'impact.cutoffPast': '要估算的截止时间必须晚于现在（{nowAt}）。',
  'webhook.limit': '一个商家最多有 {max} 个接收地址，请先删除一个。',
  'webhook.unknown': '这个商家没有接收地址“{id}”。',
  'logo.format': '请上传 PNG 或 SVG 图片（data URL 或 base64）。',
  'logo.empty': '图片是空的，请重新上传。',
  'logo.size': '图片不能超过 {max} KiB（这张是 {size} KiB）。',
  'logo.type': '只能上传 PNG 或 SVG 图片，这个文件两者都不是。',
  'logo.mismatch': '文件声明为 {declared}，实际内容却是 {type}，请检查后重新上传。',
  'logo.svg.script': 'SVG 标志不能包含脚本（<script>），标志只能是图形。',
  'logo.svg.foreignObject': 'SVG 标志不能包含 foreignObject，标志只能是图形。',
  'logo.svg.handler': 'SVG 标志不能包含事件属性（on…=），标志只能是图形。',
  'logo.svg.doctype': 'SVG 标志不能包含 DOCTYPE 或 ENTITY 声明。',
  'logo.svg.javascript': 'SVG 标志不能包含 javascript: 链接。',
  'logo.svg.link': 'SVG 标志不能引用其他文件（只能引用本文件内的 #片段）。',
};

const ZH_FALLBACK = '填写的内容不正确，请检查后重新填写。';

/** The admin API's refusals other than a field's, by error code. */
const ZH_ERRORS: Partial<Record<ErrorCode, string>> = {
  ERR_NOT_FOUND: '找不到您请求的内容，请检查地址中的编号。',
  ERR_ALREADY_EXISTS: '这个编号已被使用，请换一个。',
  ERR_CONFLICT: '与现有内容冲突，请刷新后重试。',
  ERR_UNAUTHORIZED: '请提供有效的管理令牌。',
  ERR_FORBIDDEN: '您没有权限执行此操作。',
  ERR_RATE_LIMITED: '来自这个地址的请求太多，请等一分钟后重试。',
  ERR_VALIDATION: '请求的格式不正确，请以 UTF-8 编码的 JSON 发送（Content-Type: application/json）。',
};
const ZH_ERROR_FALLBACK = '无法完成这个请求，请检查后重试。';

/** Names the problem's values need: providers by label (fields, phases and dates are worded here). */
export interface ProblemNames {
  provider?: (id: string) => string;
}

function zhValue(name: string, value: string | number, params: Record<string, string | number>, names: ProblemNames): string {
  const zone = typeof params.zone === 'string' ? params.zone : 'Asia/Shanghai';
  const m = adminTranslator('zh-CN');
  const known = (key: string) => (isAdminMessage(key) ? m(key) : undefined);
  if (/(^at|At)$/.test(name) && typeof value === 'number') return formatInstant(value, zone, 'zh-CN');
  if (name === 'first') return known(`audit.field.${value}`) ?? String(value);
  if (name === 'phase') return known(`phase.${value}`) ?? String(value);
  if (name === 'provider') return names.provider?.(String(value)) ?? String(value);
  if (name === 'suggestions') return String(value).split('\n').join(' 或 ');
  return String(value);
}

/** The problem's message in `locale`. */
export function problemText(problem: FieldProblem, locale: Locale, names: ProblemNames = {}): string {
  if (locale === 'en') return problem.message;
  const exact = ZH_EXACT[problem.message];
  if (exact) return exact;
  const params = problem.params ?? {};
  // A rule with an optional date has a sentence for each case (`schedule.closesNow.at`).
  const rule = problem.rule && params.at !== undefined && ZH_RULES[`${problem.rule}.at`] ? `${problem.rule}.at` : problem.rule;
  const template = rule ? ZH_RULES[rule] : undefined;
  if (!template) return ZH_FALLBACK;
  return template.replace(/\{(\w+)\}/g, (_whole, name: string) => (name in params ? zhValue(name, params[name]!, params, names) : ''));
}

/** An admin API refusal that is not a field's (a GatewayError's code, rule and values) in `locale`. */
export function errorText(
  error: { code: ErrorCode; message: string; rule?: string | undefined; params?: Record<string, string | number> | undefined },
  locale: Locale,
  names: ProblemNames = {},
): string {
  if (locale === 'en') return error.message;
  if (error.rule && ZH_RULES[error.rule])
    return problemText({ field: '', message: error.message, rule: error.rule, ...(error.params ? { params: error.params } : {}) }, locale, names);
  return ZH_ERRORS[error.code] ?? ZH_ERROR_FALLBACK;
}

/** The problems as the admin API answers them: field and message in `locale`, nothing else. */
export function localizedProblems(problems: readonly FieldProblem[], locale: Locale, names: ProblemNames = {}): { field: string; message: string }[] {
  return problems.map((p) => ({ field: p.field, message: problemText(p, locale, names) }));
}

/** Chinese only when the caller's Accept-Language asks for it first: the admin API speaks English by default. */
export function apiLocale(acceptLanguage: string | undefined): Locale {
  return acceptLanguage ? pickLocale({ acceptLanguage, fallback: 'en' }) : 'en';
}
