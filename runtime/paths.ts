import { fileURLToPath } from 'node:url';

/** The platform layer: official Metas and Types. From source this is ./elements, from the built package dist/elements. */
export const OFFICIAL_ELEMENTS_DIR = fileURLToPath(new URL('../elements', import.meta.url));
