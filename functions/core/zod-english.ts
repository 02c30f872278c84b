// zod/mini installs no locale: its issues would all read "Invalid input". Classic zod installs
// English when it is imported; the Lambda bundles import only mini, so the schemas that every
// bundle loads (model.ts, events.ts, runtime-config.ts) import this once for the same messages
// ("Too small: expected string to have >=1 characters"). One locale, ~3 KB, not all of them.
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());
