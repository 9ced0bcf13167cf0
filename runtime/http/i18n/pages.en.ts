/**
 * The words of the server-rendered pages (pages.ts, html.ts), in English. pages.zh-CN.ts has the
 * same keys with the same `{name}` placeholders (checked by its type and by a test); the client
 * scripts' words are in public/i18n/<locale>.json.
 */
export const en = {
  'switch.label': 'Language',

  'signedIn.title': 'Signed in — {app}',
  'signedIn.heading': 'Signed in as {name}',
  'signedIn.you': 'you',
  'signedIn.department': 'Department',
  'signedIn.position': 'Position',
  'signedIn.method': 'Signed in with',
  'signedIn.admin': 'Administration',
  'signedIn.signOut': 'Sign out',

  'login.title': 'Sign in — {app}',
  'login.heading': 'Sign in to {app}',
  'login.loading': 'Loading sign-in methods…',

  'admin.title': 'Administration — {app}',
  'admin.heading': 'Administration — {app}',
  'admin.home': 'Home',
  'admin.elements': 'Elements',
  'admin.logins': 'Login methods',
  'admin.loading': 'Loading…',

  'failure.signIn': 'Sign-in failed',
  'failure.page': 'This page cannot be shown',
  'failure.code': 'Code {code}',
  'failure.retry': 'Try again',
  'failure.home': 'Home',
} as const;

export type PageTextKey = keyof typeof en;
