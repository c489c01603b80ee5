import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response } from 'express';
import type { EdgeFactory } from './edge.js';

/** The viewer's static build (`npm run build -w viewer`), beside this workspace in the monorepo. */
export const VIEWER_DIST = fileURLToPath(new URL('../../../viewer/dist/', import.meta.url));

const MOUNT = '/viewer';

/** Vite names assets by content hash, so they never change under a URL: cache them for a year. */
function cacheHeaders(res: Response, file: string): void {
  const hashed = file.startsWith(path.join(VIEWER_DIST, 'assets') + path.sep);
  res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
}

/**
 * Serves the radiologist's viewer at /viewer/: the built files as they are, and index.html for any
 * other page address (the app routes by query string). Missing assets stay 404 so a stale page
 * does not get HTML for a script. The viewer itself talks to /fhir and /dicomweb like any client.
 */
export const viewerEdge: EdgeFactory = () => ({
  name: 'viewer',
  mount(app) {
    const index = path.join(VIEWER_DIST, 'index.html');
    app.get(MOUNT, (req: Request, res: Response, next) => {
      // Routing is not strict: `/viewer/` arrives here too.
      if (req.originalUrl.startsWith(`${MOUNT}/`)) return next();
      res.redirect(301, `${MOUNT}/${req.originalUrl.slice(MOUNT.length)}`);
    });
    app.use(MOUNT, express.static(VIEWER_DIST, { index: false, redirect: false, dotfiles: 'ignore', fallthrough: true, setHeaders: cacheHeaders }));
    app.get(`${MOUNT}/{*rest}`, (req: Request, res: Response, next) => {
      const last = req.path.split('/').pop() ?? '';
      if (last.includes('.')) return next();
      if (!existsSync(index)) {
        res.status(503).type('text/plain; charset=utf-8').send('影像阅片器尚未构建：请运行 npm run build -w viewer | The viewer is not built: run npm run build -w viewer\n');
        return;
      }
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    });
  },
});
