// The embedding child process starts without the parent's TypeScript loader: register tsx, then load it.
import { register } from 'tsx/esm/api';

register();
await import('./child-entry.ts');
