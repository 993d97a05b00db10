/** The Probot entry (`probot run ./dist/index.js`): it only hands Probot the app. */
import { appFromEnv } from './server/app-from-env.js';

export default appFromEnv;
