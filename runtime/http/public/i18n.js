// The pages' words in the page's language. The server embeds the dictionary of the request's language
// (runtime/http/public/i18n/<locale>.json) as <script type="application/json" id="jit-i18n"> and sets <html lang>;
// every text the scripts show goes through t(). Both dictionaries have the same keys and, per key, the same
// {placeholders} (test/runtime/http/i18n-dictionaries.test.ts).

/** English, for a key the embedded dictionary lacks (a page served by an older server, a dictionary that failed to embed). */
const ENGLISH = {
  'error.withCode': '{message} (code {code})',
  'error.unexpectedReply': 'Unexpected reply (HTTP {status}).',
  'common.loading': 'Loading…',
  'common.listSeparator': ', ',
};

function embedded() {
  try {
    const text = document.getElementById('jit-i18n')?.textContent;
    const parsed = text ? JSON.parse(text) : {};
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

const dictionary = embedded();
const warned = new Set();

/**
 * The text of `key` with its {name} placeholders filled from `params` (a placeholder without a param stays as
 * written, so "${ENV}" in a text is safe). A missing key never throws: the English text if known, else the key.
 */
export function t(key, params = {}) {
  let text = dictionary[key];
  if (typeof text !== 'string') {
    if (!warned.has(key)) {
      warned.add(key);
      console.warn(`jit i18n: no text for "${key}" in the ${locale()} dictionary`);
    }
    text = ENGLISH[key] ?? key;
  }
  return text.replace(/\{([A-Za-z0-9_]+)\}/g, (match, name) => (params[name] === undefined || params[name] === null ? match : String(params[name])));
}

/** The page's language, as the server chose it: 'en' or 'zh-CN'. */
export const locale = () => document.documentElement.lang || 'en';

/** Items joined as the language writes a list ("a, b" / "a、b"). */
export const list = (items) => items.join(t('common.listSeparator'));

/** An error as the pages show it: its message (already in the request's language), then its code. */
export const errorText = (error) => (error?.code ? t('error.withCode', { message: error.message, code: error.code }) : String(error?.message ?? error));
