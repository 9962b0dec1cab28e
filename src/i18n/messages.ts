// Every sentence a shopper reads, in Simplified Chinese and English. Placeholders are {name}; values
// are HTML-escaped by the views, never by these strings.

import type { Locale } from '../../providers/contract.ts';

const zh = {
  'app.name': '登录 Denglu',
  'app.tagline': '一次接入，多种登录方式',
  'sandbox.banner': '沙盒环境：所有第三方登录均为本地模拟器，没有真实帐号。',
  'sandbox.now': '模拟时间：{now}',
  'chooser.title': '登录 {shop}',
  'chooser.lead': '选择一种方式登录 {shop}',
  'chooser.continueWith': '使用{provider}登录',
  'chooser.none': '{shop} 目前没有可用的登录方式。',
  'chooser.cancel': '返回 {shop}',
  'consent.title': '授权 {shop}',
  'consent.lead': '{shop} 请求获得以下信息：',
  'consent.scope.openid': '你在 {shop} 的帐号标识',
  'consent.scope.profile': '你的昵称、头像和语言',
  'consent.scope.offline_access': '在你离开后继续保持登录',
  'consent.allow': '同意',
  'consent.deny': '拒绝',
  'error.title': '登录没有完成',
  'error.requestId': '请求编号：{id}',
  'error.tryAgain': '重试{provider}登录',
  'error.chooseAnother': '换一种方式登录',
  'error.backToShop': '返回 {shop}',
  'error.home': '返回首页',
  'error.ERR_UPSTREAM.provider_denied': '你在{provider}取消了授权，所以没有登录。',
  'error.ERR_UPSTREAM.timeout': '{provider}没有及时响应。请稍后重试，或换一种方式登录。',
  'error.ERR_UPSTREAM.default': '{provider}返回了无法处理的结果。请稍后重试，或换一种方式登录。',
  'error.ERR_UPSTREAM.state_validate': '这次登录请求无法验证（可能是在另一个窗口打开的，或者已经用过）。请重新开始。',
  'error.ERR_FLOW_EXPIRED': '登录等待太久，已经过期。请重新开始。',
  'error.ERR_FLOW_STATE_MISMATCH': '这次登录请求无法验证（可能是在另一个窗口打开的，或者已经用过）。请重新开始。',
  'error.ERR_PROVIDER_UNKNOWN': '没有名为“{hint}”的登录方式。',
  'error.ERR_PROVIDER_UNAVAILABLE': '{provider}登录目前在 {shop} 不可用。',
  'error.ERR_INTERACTION_LOST': '这次登录已经结束或过期。请回到网站重新登录。',
  'error.ERR_NOT_FOUND': '找不到这个页面。',
  'error.oidc': '登录请求有误：{description}',
  'error.default': '出现了意外错误。我们已经记录，请稍后重试。',
  'logout.title': '退出登录',
  'logout.question': '要退出 Denglu 登录吗？',
  'logout.yes': '退出',
  'logout.no': '保持登录',
  'logout.done': '你已经退出登录。',
  'home.title': '登录 Denglu',
  'home.lead': '商家一次接入 OpenID Connect，即可提供微博、QQ、搜狐等登录方式。',
  'home.discovery': '发现文档',
  'home.shops': '沙盒演示商店',
  'provider.phase.notice': '将于 {date} 停止',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  'app.name': 'Denglu',
  'app.tagline': 'One integration, every way to sign in',
  'sandbox.banner': 'Sandbox: every social provider here is a local emulator; no real account is used.',
  'sandbox.now': 'Simulated time: {now}',
  'chooser.title': 'Sign in to {shop}',
  'chooser.lead': 'Choose how to sign in to {shop}',
  'chooser.continueWith': 'Continue with {provider}',
  'chooser.none': '{shop} offers no way to sign in right now.',
  'chooser.cancel': 'Back to {shop}',
  'consent.title': 'Authorize {shop}',
  'consent.lead': '{shop} asks for:',
  'consent.scope.openid': 'your account identifier at {shop}',
  'consent.scope.profile': 'your name, picture and language',
  'consent.scope.offline_access': 'staying signed in after you leave',
  'consent.allow': 'Allow',
  'consent.deny': 'Deny',
  'error.title': 'Sign-in did not complete',
  'error.requestId': 'Request id: {id}',
  'error.tryAgain': 'Try {provider} again',
  'error.chooseAnother': 'Choose another way to sign in',
  'error.backToShop': 'Back to {shop}',
  'error.home': 'Home',
  'error.ERR_UPSTREAM.provider_denied': 'You cancelled at {provider}, so you are not signed in.',
  'error.ERR_UPSTREAM.timeout': '{provider} did not answer in time. Try again in a moment, or choose another way to sign in.',
  'error.ERR_UPSTREAM.default': '{provider} sent an answer we could not use. Try again in a moment, or choose another way to sign in.',
  'error.ERR_UPSTREAM.state_validate': 'This sign-in request could not be verified (it may have been opened in another window, or used already). Please start again.',
  'error.ERR_FLOW_EXPIRED': 'The sign-in waited too long and expired. Please start again.',
  'error.ERR_FLOW_STATE_MISMATCH': 'This sign-in request could not be verified (it may have been opened in another window, or used already). Please start again.',
  'error.ERR_PROVIDER_UNKNOWN': 'There is no way to sign in called "{hint}".',
  'error.ERR_PROVIDER_UNAVAILABLE': 'Signing in with {provider} is not available at {shop} right now.',
  'error.ERR_INTERACTION_LOST': 'This sign-in has ended or expired. Please go back to the shop and sign in again.',
  'error.ERR_NOT_FOUND': 'This page does not exist.',
  'error.oidc': 'The sign-in request is not valid: {description}',
  'error.default': 'Something unexpected went wrong. It has been logged; please try again later.',
  'logout.title': 'Sign out',
  'logout.question': 'Sign out of Denglu?',
  'logout.yes': 'Sign out',
  'logout.no': 'Stay signed in',
  'logout.done': 'You are signed out.',
  'home.title': 'Denglu',
  'home.lead': 'Shops integrate OpenID Connect once and offer Weibo, QQ, Sohu and more.',
  'home.discovery': 'Discovery document',
  'home.shops': 'Sandbox demo shops',
  'provider.phase.notice': 'ends {date}',
};

const catalogues: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zh, en };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const catalogue = catalogues[locale];
  return (key, params = {}) => catalogue[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

export function hasMessage(key: string): key is MessageKey {
  return key in zh;
}
