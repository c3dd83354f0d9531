/** The example app exactly as `npm start` runs it: `app.ts`'s `defineApp(...)` default export. */
import exampleApp from '../../app.ts';

export { exampleApp };
export default exampleApp;
