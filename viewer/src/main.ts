import { createFhirApi } from './fhir-api.js';
import { lang, t } from './i18n.js';
import { ensureAuthorised } from './launch/index.js';
import { studyMetadata } from './dicomweb.js';
import './styles.css';

/** `/viewer/` is the worklist; `/viewer/?study=<StudyInstanceUID>` the study view. */
async function main(): Promise<void> {
  document.documentElement.lang = lang();
  document.title = t('appTitle');
  const root = document.getElementById('app');
  if (!root) return;
  const fhir = createFhirApi();
  try {
    // A SMART launch may first take the browser to the login page and back; the page address it leaves names the study.
    await ensureAuthorised();
    const study = new URLSearchParams(window.location.search).get('study');
    // Each page is its own chunk: the worklist never loads Cornerstone, and the study's metadata is
    // already on its way while the viewer's code is fetched and compiled.
    if (study) {
      const metadata = studyMetadata(study);
      const { renderStudy } = await import('./study/view.js');
      await renderStudy(root, study, fhir, metadata);
    } else {
      const { renderWorklist } = await import('./worklist/view.js');
      await renderWorklist(root, fhir);
    }
  } catch (error) {
    root.replaceChildren(Object.assign(document.createElement('div'), { className: 'status error', textContent: `${t('loadFailed')}: ${error instanceof Error ? error.message : String(error)}` }));
    throw error;
  }
}

void main();
