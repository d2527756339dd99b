// The scan worker starts without the parent's TypeScript loader when run from source: register tsx, then load it.
import { register } from 'tsx/esm/api';

register();
await import('./scan-worker.ts');
