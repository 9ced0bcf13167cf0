// A sync in a process of its own, reporting progress as JSON lines, so a test can kill it midway (SIGKILL).
import { loadApp } from '../../runtime/index.js';

const [appDir, dataDir] = process.argv.slice(2);
const app = await loadApp(appDir!, { dataDir: dataDir!, migrate: true });
const element = app.getElement<{ syncDepartmentInfo(p: { onProgress(p: object): void }): Promise<void> }>('auths.loginTypes.FSInnerExample');
await element.syncDepartmentInfo({ onProgress: (progress) => process.stdout.write(JSON.stringify(progress) + '\n') });
process.stdout.write('{"finished":true}\n');
await app.close();
