/**
 * Lossless conversion between FHIR R4 JSON and FHIR XML (http://hl7.org/fhir/R4/xml.html),
 * driven by the R4 StructureDefinitions: see xml-layout.ts for how each element maps.
 */
export { resourceToXml } from './xml-write.js';
export { xmlToResource } from './xml-read.js';
