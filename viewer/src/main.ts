import { createFhirApi } from './fhir-api.js';
import { lang, t } from './i18n.js';
import { ensureAuthorised } from './launch/index.js';
import { studyMetadata } from './dicomweb.js';
import { showPreview } from './study/preview.js';
import './styles.css';

const PREVIEW_WAIT_MS = 1500;

/** `/viewer/` is the worklist; `/viewer/?study=<StudyInstanceUID>` the study view. */
async function main(): Promise<void> {
  document.documentElement.lang = lang();
  document.title = t('appTitle');
  const root = document.getElementById('app');
  if (!root) return;
  const fhir = createFhirApi();
  try {
    // `/viewer/registry` is the registry app: its own SMART client, its own chunk.
    if (window.location.pathname.startsWith('/viewer/registry')) return await (await import('./registry/view.js')).startRegistry(root, fhir);
    // A SMART launch may first take the browser to the login page and back; the page address it leaves names the study.
    const authorised = ensureAuthorised();
    const asked = new URLSearchParams(window.location.search).get('study');
    // Asked at once (with the stored token, if any): a server open to anonymous readers or a
    // token still valid spares a round trip; a refusal is asked again once authorised.
    const early = asked ? studyMetadata(asked) : undefined;
    early?.catch(() => undefined);
    await authorised;
    // Read again: an EHR launch names its study only once the token exchange is done.
    const study = new URLSearchParams(window.location.search).get('study');
    // Each page is its own chunk: the worklist never loads Cornerstone, and the study view draws
    // its first image from the metadata and one frame before the viewer's code is loaded.
    if (study) {
      const metadata = early && study === asked ? early.catch(() => studyMetadata(study)) : studyMetadata(study);
      root.dataset.view = 'loading';
      root.replaceChildren(Object.assign(document.createElement('div'), { className: 'status', textContent: t('loading') }));
      // Evaluating the viewer's code holds the main thread for a while: the preview goes first
      // (bounded, so a slow frame cannot hold the viewer back).
      await Promise.race([showPreview(root, metadata).catch(() => undefined), new Promise((resolve) => setTimeout(resolve, PREVIEW_WAIT_MS))]);
      const { renderStudy } = await import('./study/view.js');
      await renderStudy(root, study, fhir, metadata);
    } else if (new URLSearchParams(window.location.search).has('ecg')) {
      const { renderEcg } = await import('./ecg/view.js');
      await renderEcg(root, new URLSearchParams(window.location.search).get('ecg') ?? '', fhir);
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
