import express, { type Request, type Response } from 'express';
import { cdsPrincipal } from '../cds-hooks/jwt.js';
import { answerHook, findService } from '../cds-hooks/service.js';
import { CDS_SERVICES } from '../cds-hooks/services.js';
import { FhirError } from '../errors/fhir-error.js';
import type { EdgeFactory } from './edge.js';

const PATH = '/cds-services';
const BODY_LIMIT = '2mb';

/**
 * CDS Hooks (docs/cds-hooks.md): discovery at `/cds-services` and the duplicate-order services at
 * `/cds-services/{id}`. CORS is open as the spec asks of services called from browser EHRs.
 */
export const cdsHooksEdge: EdgeFactory = (ctx) => {
  const origin = (req: Request) => ctx.config.baseUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  const cors = (_req: Request, res: Response, next: () => void) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    next();
  };
  return {
    name: 'cds-hooks',
    mount(app) {
      app.use(PATH, cors);
      app.options(`${PATH}{/:id}`, (_req, res) => void res.status(204).end());
      app.get(PATH, (_req, res) => {
        res.status(200).json({ services: CDS_SERVICES });
      });
      app.post(`${PATH}/:id`, express.text({ type: () => true, limit: BODY_LIMIT }), async (req: Request, res: Response) => {
        const id = String(req.params.id);
        findService(id);
        const principal = await cdsPrincipal(ctx, req.get('authorization'), `${origin(req)}${PATH}/${id}`);
        let body: unknown;
        try {
          body = JSON.parse(typeof req.body === 'string' ? req.body : '');
        } catch (e) {
          throw new FhirError('cds.request-invalid', { detail: `JSON：${(e as Error).message}` }, '$');
        }
        res.status(200).json(await answerHook(ctx, id, body, principal, `${origin(req)}/fhir`));
      });
    },
  };
};
