import { defineConfig } from 'vite';

// Served by the server under /viewer/ (fhir-server/src/edges/viewer.ts).
export default defineConfig({
  base: '/viewer/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 6000, reportCompressedSize: false },
  worker: { format: 'es' },
  // The image loader starts its decode worker from `new URL(…, import.meta.url)`: pre-bundling would move it.
  optimizeDeps: { exclude: ['@cornerstonejs/dicom-image-loader'], include: ['dicom-parser'] },
});
