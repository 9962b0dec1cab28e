// Security headers for every response (helmet): a strict Content-Security-Policy with no inline script
// or style, framing refused (clickjacking), no referrer leaking codes, and HSTS in production. The
// `form-action` directive is left out on purpose: Chrome applies it to the redirect chain after a form
// POST, which would block the hop from Denglu back to the shop's redirect_uri (oidc-provider does the same).

import helmet from 'helmet';

export function securityHeaders(options: { production: boolean; imageOrigins: readonly string[] }) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:', ...options.imageOrigins],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'frame-ancestors': ["'none'"],
        ...(options.production ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: options.production ? { maxAge: 31536000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
}
