// The emulated open API gateway, `/gateway.do` (GET or POST): checks the public parameters and the
// request's RSA2/RSA signature with the app's public key the way Alipay's gateway reports them
// (`isv.invalid-signature` with the text it verified, `isv.invalid-app-id`, …), then runs
// `alipay.system.oauth.token` (authorization_code and refresh_token grants) and `alipay.user.info.share`.
// Every answer is HTTP 200 and signed (emulator-replies.ts). Faults are per method name.

import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { FaultSwitch } from '../shared/emulator/fault-switch.ts';
import { type AlipayApp, type AlipayToken, type AlipayWorld, ACCESS_TTL_SECONDS, REFRESH_TTL_SECONDS } from './emulator-world.ts';
import { parseForm, requestCharset } from './emulator-form.ts';
import { sendSigned, type ReplyContext } from './emulator-replies.ts';
import { isSignType, knownCharset, requestSignContent, verifyText } from './signature.ts';
import { beijingTimestamp, parseBeijingTimestamp } from './timestamp.ts';

export const TOKEN_METHOD = 'alipay.system.oauth.token';
export const USER_INFO_METHOD = 'alipay.user.info.share';
const METHODS = new Set([TOKEN_METHOD, USER_INFO_METHOD]);

/** Alipay-specific fault modes per method, on top of hang / status500 / html / malformed. */
export const ALIPAY_FAULT_MODES = {
  [TOKEN_METHOD]: ['unsigned', 'tampered', 'other_key', 'string_types'],
  [USER_INFO_METHOD]: ['unsigned', 'tampered', 'other_key', 'invalid_token'],
} as const;

type Params = Record<string, string>;
type ErrorBody = { code: string; msg: string; sub_code: string; sub_msg: string };

const missing = (what: string, sub: string): ErrorBody => ({
  code: '40001',
  msg: 'Missing Required Arguments',
  sub_code: `isv.missing-${sub}`,
  sub_msg: `缺少${what}参数`,
});
const invalid = (sub: string, subMsg: string): ErrorBody => ({ code: '40002', msg: 'Invalid Arguments', sub_code: `isv.${sub}`, sub_msg: subMsg });

export function gatewayRoutes(world: AlipayWorld, faults: FaultSwitch): Router {
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: '20kb' });

  router.all('/gateway.do', raw, (req, res) => {
    const query = new URL(req.originalUrl, 'http://gateway').searchParams;
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const charsetName = requestCharset(query, body);
    const charset = knownCharset(charsetName);
    const p: Params = { ...parseForm(body, charset ?? 'utf-8'), ...Object.fromEntries(query) };
    const method = p.method;
    const app = world.app(p.app_id);
    const signType = isSignType(p.sign_type) ? p.sign_type : 'RSA2';
    const reply: ReplyContext = { charset: charset ?? 'utf-8', signType, key: app?.alipayPrivateKey };
    const member = method && METHODS.has(method) ? `${method.replaceAll('.', '_')}_response` : 'error_response';
    const refuse = (error: ErrorBody) => sendSigned(res, reply, member, error);

    if (!method) return refuse(missing('方法名', 'method'));
    if (!METHODS.has(method)) return refuse(invalid('invalid-method', `不存在的方法名: ${method.slice(0, 64)}`));
    if (!p.app_id) return refuse(missing('AppID', 'app-id'));
    if (!app) return refuse(invalid('invalid-app-id', '无效的AppID参数'));
    if (!charset) return refuse(invalid('invalid-charset', `字符集错误: ${charsetName.slice(0, 20)}`));
    if (p.format !== undefined && p.format.toUpperCase() !== 'JSON') return refuse(invalid('invalid-format', '参数format无效'));
    if (!p.sign_type) return refuse(missing('签名类型', 'signature-type'));
    if (!isSignType(p.sign_type)) return refuse(invalid('invalid-signature-type', '无效的签名类型'));
    if (!p.sign) return refuse(missing('签名', 'signature'));
    if (!p.timestamp) return refuse(missing('时间戳', 'timestamp'));
    if (parseBeijingTimestamp(p.timestamp) === undefined) return refuse(invalid('invalid-timestamp', '非法的时间戳参数'));
    if (p.version !== undefined && p.version !== '1.0') return refuse(invalid('invalid-version', '版本号无效'));
    const content = requestSignContent(p);
    if (!verifyText(content, p.sign, app.appPublicKey, p.sign_type, charset)) {
      return refuse(
        invalid('invalid-signature', `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${content.replace(/&/g, '&amp;')}`),
      );
    }
    const malformed = { contentType: `text/html;charset=${charset}`, body: `{"${member}":{"user_id":"2088` };
    faults.guard(method, malformed)(req, res, (() => {
      reply.fault = typeof res.locals.fault === 'string' ? res.locals.fault : undefined;
      if (method === TOKEN_METHOD) return oauthToken(app, p, res, reply, member);
      userInfoShare(app, p, req, res, reply, member);
    }) as NextFunction);
  });

  function oauthToken(app: AlipayApp, p: Params, res: Response, reply: ReplyContext, member: string): void {
    let token: AlipayToken | undefined;
    if (p.grant_type === 'authorization_code') {
      if (!p.code) return sendSigned(res, reply, 'error_response', missing('授权码', 'auth-code'));
      const redeemed = world.codes.redeemCode(p.code, app.app.clientId, '');
      if (!redeemed.ok) return sendSigned(res, reply, 'error_response', invalid('code-invalid', '授权码code无效'));
      token = world.issueToken(app.app.clientId, redeemed.grant.login, redeemed.grant.scope);
    } else if (p.grant_type === 'refresh_token') {
      token = p.refresh_token ? world.refresh(p.refresh_token, app.app.clientId) : undefined;
      if (!token) return sendSigned(res, reply, 'error_response', invalid('refresh-token-invalid', '刷新令牌refresh_token无效'));
    } else {
      return sendSigned(res, reply, 'error_response', invalid('grant-type-invalid', 'grant_type参数不正确'));
    }
    const ids = world.idsFor(app.app.clientId, token.login);
    const lifetimes = reply.fault === 'string_types' ? [String(ACCESS_TTL_SECONDS), String(REFRESH_TTL_SECONDS)] : [ACCESS_TTL_SECONDS, REFRESH_TTL_SECONDS];
    sendSigned(res, reply, member, {
      ...(ids.userId ? { user_id: ids.userId } : {}),
      ...(ids.openId ? { open_id: ids.openId } : {}),
      access_token: token.accessToken,
      expires_in: lifetimes[0],
      refresh_token: token.refreshToken,
      re_expires_in: lifetimes[1],
      auth_start: beijingTimestamp(token.authStart),
    });
  }

  function userInfoShare(app: AlipayApp, p: Params, req: Request, res: Response, reply: ReplyContext, member: string): void {
    const checked = reply.fault === 'invalid_token' ? { ok: false as const, reason: 'unknown' as const } : world.token(p.auth_token);
    if (!checked.ok) {
      if (checked.reason === 'missing') return sendSigned(res, reply, member, missing('auth_token', 'auth-token'));
      const timedOut = checked.reason === 'expired';
      return sendSigned(res, reply, member, {
        code: '20001',
        msg: 'Insufficient Token Permissions',
        sub_code: timedOut ? 'aop.auth-token-time-out' : 'aop.invalid-auth-token',
        sub_msg: timedOut ? '访问令牌已过期' : '无效的访问令牌',
      });
    }
    const { token } = checked;
    if (token.appId !== app.app.clientId)
      return sendSigned(res, reply, member, {
        code: '20001',
        msg: 'Insufficient Token Permissions',
        sub_code: 'aop.invalid-auth-token',
        sub_msg: '无效的访问令牌',
      });
    if (!token.scope.split(',').includes('auth_user')) {
      return sendSigned(res, reply, member, {
        code: '40006',
        msg: 'Insufficient Permissions',
        sub_code: 'isv.insufficient-isv-permissions',
        sub_msg: 'ISV权限不足，建议在开发者中心检查对应功能是否已经添加',
      });
    }
    const user = world.ensureUser(token.login);
    const ids = world.idsFor(app.app.clientId, token.login);
    const extra = user.extra ?? {};
    sendSigned(res, reply, member, {
      code: '10000',
      msg: 'Success',
      ...(ids.userId ? { user_id: ids.userId } : {}),
      ...(ids.openId ? { open_id: ids.openId } : {}),
      avatar: extra.avatarUrl ?? `${req.protocol}://${req.get('host')}/__avatars/${ids.openId}.svg`,
      nick_name: user.name,
      gender: extra.gender === 'F' ? 'F' : 'M',
      province: extra.province ?? '浙江省',
      city: extra.city ?? '杭州市',
    });
  }

  return router;
}
