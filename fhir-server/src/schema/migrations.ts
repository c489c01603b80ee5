import { DICOM_MIGRATION_SQL } from '@qiao/dicom-gateway';
import { DATE_SPAN_MIGRATION_SQL } from '../search/date-spans.js';
import { repeatedRowsSql } from '../search/derived-references.js';

/**
 * Numbered schema migrations, applied in order at start. Never edit one that has shipped: add the
 * next number. Plain SQL that PostgreSQL-compatible databases (openGauss, KingbaseES, HighGo) accept.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'resources, history and token index',
    sql: `
      -- Current version of every resource; content is the JSON as served (meta included), NULL once deleted.
      CREATE TABLE resource (
        resource_type text NOT NULL,
        id text NOT NULL,
        version_id bigint NOT NULL,
        last_updated timestamptz NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        content text,
        PRIMARY KEY (resource_type, id)
      );
      CREATE INDEX resource_type_updated ON resource (resource_type, last_updated);

      -- Every version, the current one included, so that history and vread read one table.
      CREATE TABLE resource_history (
        resource_type text NOT NULL,
        id text NOT NULL,
        version_id bigint NOT NULL,
        last_updated timestamptz NOT NULL,
        method text NOT NULL,
        content text,
        PRIMARY KEY (resource_type, id, version_id)
      );
      CREATE INDEX resource_history_updated ON resource_history (last_updated);
      CREATE INDEX resource_history_type_updated ON resource_history (resource_type, last_updated);

      -- Token search parameters of current versions (identifier, codes, _tag, _profile, …).
      CREATE TABLE search_token (
        resource_type text NOT NULL,
        id text NOT NULL,
        param text NOT NULL,
        system text,
        value text
      );
      CREATE INDEX search_token_lookup ON search_token (resource_type, param, value, system);
      CREATE INDEX search_token_resource ON search_token (resource_type, id);
    `,
  },
  {
    version: 2,
    name: 'search indexes for every parameter type',
    sql: `
      -- One table per search-parameter type; rows hold the values each parameter's expression finds
      -- in the current version. grp numbers the items of a composite parameter, so that its
      -- components (stored under the parameter code plus '$' and the component position) can be
      -- matched within the same item. Modifier indexes live beside their base parameter under
      -- '<code>:text', '<code>:of-type' and '<code>:identifier'.
      ALTER TABLE search_token ADD COLUMN grp integer;
      -- Probes from another filter ("this resource also has code X") read the index alone.
      DROP INDEX search_token_resource;
      CREATE INDEX search_token_resource ON search_token (resource_type, id, param) INCLUDE (value, system);
      -- Counting matches needs only to know that a resource is live, not to read its row.
      CREATE INDEX resource_live ON resource (resource_type, id) WHERE NOT deleted;

      CREATE TABLE search_string (
        resource_type text NOT NULL,
        id text NOT NULL,
        param text NOT NULL,
        norm text COLLATE "C" NOT NULL,   -- lower case, accents and width folded: default and :contains
        exact text NOT NULL,              -- as written: :exact
        grp integer
      );
      CREATE INDEX search_string_norm ON search_string (resource_type, param, norm text_pattern_ops);
      CREATE INDEX search_string_resource ON search_string (resource_type, id, param) INCLUDE (norm);

      CREATE TABLE search_date (
        resource_type text NOT NULL,
        id text NOT NULL,
        param text NOT NULL,
        low timestamptz NOT NULL,         -- inclusive; -infinity when open
        high timestamptz NOT NULL,        -- exclusive; infinity when open
        grp integer
      );
      CREATE INDEX search_date_low ON search_date (resource_type, param, low);
      CREATE INDEX search_date_high ON search_date (resource_type, param, high);
      CREATE INDEX search_date_resource ON search_date (resource_type, id, param) INCLUDE (low, high);

      CREATE TABLE search_number (
        resource_type text NOT NULL,
        id text NOT NULL,
        param text NOT NULL,
        value numeric NOT NULL,
        grp integer
      );
      CREATE INDEX search_number_value ON search_number (resource_type, param, value);
      CREATE INDEX search_number_resource ON search_number (resource_type, id);

      CREATE TABLE search_quantity (
        resource_type text NOT NULL,
        id text NOT NULL,
        param text NOT NULL,
        value numeric NOT NULL,
        system text,
        code text,
        unit text,
        canonical_value numeric,          -- in UCUM base units, when the unit converts
        canonical_code text,
        grp integer
      );
      CREATE INDEX search_quantity_value ON search_quantity (resource_type, param, value);
      CREATE INDEX search_quantity_canonical ON search_quantity (resource_type, param, canonical_code, canonical_value);
      CREATE INDEX search_quantity_resource ON search_quantity (resource_type, id, param) INCLUDE (value, canonical_code, canonical_value);

      CREATE TABLE search_reference (
        resource_type text NOT NULL,
        id text NOT NULL,
        param text NOT NULL,
        target_type text,                 -- set for references to this server (relative)
        target_id text,
        url text,                         -- absolute and canonical references, as written
        grp integer
      );
      CREATE INDEX search_reference_target ON search_reference (target_type, target_id, param, resource_type);
      CREATE INDEX search_reference_url ON search_reference (url) WHERE url IS NOT NULL;
      CREATE INDEX search_reference_resource ON search_reference (resource_type, id, param) INCLUDE (target_type, target_id);

      CREATE TABLE search_uri (
        resource_type text NOT NULL,
        id text NOT NULL,
        param text NOT NULL,
        value text COLLATE "C" NOT NULL,
        grp integer
      );
      CREATE INDEX search_uri_value ON search_uri (resource_type, param, value text_pattern_ops);
      CREATE INDEX search_uri_resource ON search_uri (resource_type, id);

      -- One row per resource and sortable parameter: the lowest and highest value as order-preserving
      -- text, so that a sorted page is read from an index instead of sorting every match.
      CREATE TABLE search_sort (
        resource_type text NOT NULL,
        id text NOT NULL,
        param text NOT NULL,
        lo text COLLATE "C" NOT NULL,
        hi text COLLATE "C" NOT NULL
      );
      CREATE INDEX search_sort_lo ON search_sort (resource_type, param, lo, id);
      CREATE INDEX search_sort_hi ON search_sort (resource_type, param, hi, id);
      CREATE INDEX search_sort_resource ON search_sort (resource_type, id);

      -- Folded text of the narrative (_text) and of every string in the resource (_content).
      CREATE TABLE search_text (
        resource_type text NOT NULL,
        id text NOT NULL,
        narrative text COLLATE "C",
        content text COLLATE "C" NOT NULL
      );
      -- Not unique: an update deletes and inserts a resource's row in one statement, and a unique
      -- check would still see the row being deleted.
      CREATE INDEX search_text_resource ON search_text (resource_type, id);
    `,
  },
  {
    version: 3,
    name: 'search indexes answer from the index alone',
    sql: `
      -- Every value index also carries the resource id (and a date index the other bound), so a
      -- filter reads only its index: at a million resources the heap rows behind a common code
      -- are scattered across thousands of pages.
      DROP INDEX search_token_lookup;
      CREATE INDEX search_token_lookup ON search_token (resource_type, param, value, system) INCLUDE (id);
      DROP INDEX search_string_norm;
      CREATE INDEX search_string_norm ON search_string (resource_type, param, norm text_pattern_ops) INCLUDE (id);
      DROP INDEX search_date_low;
      CREATE INDEX search_date_low ON search_date (resource_type, param, low) INCLUDE (high, id);
      DROP INDEX search_date_high;
      CREATE INDEX search_date_high ON search_date (resource_type, param, high) INCLUDE (low, id);
      DROP INDEX search_number_value;
      CREATE INDEX search_number_value ON search_number (resource_type, param, value) INCLUDE (id);
      DROP INDEX search_quantity_value;
      CREATE INDEX search_quantity_value ON search_quantity (resource_type, param, value) INCLUDE (id, system, code, unit);
      DROP INDEX search_quantity_canonical;
      CREATE INDEX search_quantity_canonical ON search_quantity (resource_type, param, canonical_code, canonical_value) INCLUDE (id);
      DROP INDEX search_quantity_resource;
      CREATE INDEX search_quantity_resource ON search_quantity (resource_type, id, param) INCLUDE (value, system, code, unit, canonical_code, canonical_value);
      DROP INDEX search_reference_target;
      CREATE INDEX search_reference_target ON search_reference (target_type, target_id, param, resource_type) INCLUDE (id);
      DROP INDEX search_uri_value;
      CREATE INDEX search_uri_value ON search_uri (resource_type, param, value text_pattern_ops) INCLUDE (id);

      -- The planner must know that one code covers 5 % of the Observations and an identifier one
      -- row: per-column statistics, multiplied as if independent, guess 100 rows for both.
      ALTER TABLE search_token ALTER COLUMN value SET STATISTICS 1000;
      CREATE STATISTICS search_token_values (mcv, dependencies) ON resource_type, param, value FROM search_token;
      ALTER STATISTICS search_token_values SET STATISTICS 1000;
      CREATE STATISTICS search_reference_params (dependencies) ON resource_type, param, target_type FROM search_reference;
      CREATE STATISTICS search_date_params (mcv, dependencies) ON resource_type, param FROM search_date;
      ANALYZE search_token;
      ANALYZE search_reference;
      ANALYZE search_date;
    `,
  },
  {
    version: 4,
    name: 'terminology: code table change log and unmapped local codes',
    sql: `
      -- What changed between versions of a code table (added, retired, renamed codes): its change log.
      CREATE TABLE terminology_change (
        seq bigserial PRIMARY KEY,
        system text NOT NULL,
        from_version text,
        to_version text,
        code text NOT NULL,
        change text NOT NULL,
        before text,
        after text,
        resource_id text,
        changed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX terminology_change_system ON terminology_change (system, seq);

      -- Local codes that arrived without a mapping to the standard (标化), for staff to map.
      CREATE TABLE terminology_unmapped (
        system text NOT NULL,
        code text NOT NULL,
        display text,
        first_seen timestamptz NOT NULL DEFAULT now(),
        last_seen timestamptz NOT NULL DEFAULT now(),
        occurrences bigint NOT NULL DEFAULT 1,
        example text,
        PRIMARY KEY (system, code)
      );
    `,
  },
  {
    version: 5,
    name: 'dicom-gateway: patients, studies, series, instances, frame offsets and DICOM JSON',
    sql: DICOM_MIGRATION_SQL,
  },
  {
    version: 7,
    name: 'server secrets (the research pseudonym key)',
    sql: `
      -- Secrets the server generates once and every instance on the database must share, such as
      -- the key of the master patient index's research pseudonyms when none is configured.
      CREATE TABLE qiao_secret (
        name text PRIMARY KEY,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 8,
    name: 'bulk data export jobs',
    sql: `
      -- One row per $export job. spec is the resolved request (JSON); output lists the written
      -- files (JSON) once completed; error is the catalogue message of a failure (JSON). heartbeat
      -- is renewed by the process running the job, so a job whose process died is seen as stale.
      CREATE TABLE bulk_export (
        id text PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        request text NOT NULL,
        spec text NOT NULL,
        transaction_time timestamptz NOT NULL,
        requires_access_token boolean NOT NULL,
        progress text NOT NULL DEFAULT '',
        output text,
        error text,
        heartbeat timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      );
      CREATE INDEX bulk_export_status ON bulk_export (status, heartbeat);
    `,
  },
  {
    version: 9,
    name: 'authorisation server: clients, users, sessions, codes, tokens, used assertion ids, signing keys',
    sql: `
      -- Registered apps. redirect_uris and roles are JSON arrays; jwks is a JWK Set (JSON) given by
      -- value, jwks_url one fetched when an assertion arrives; secret_hash is scrypt (confidential).
      CREATE TABLE auth_client (
        client_id text PRIMARY KEY,
        type text NOT NULL CHECK (type IN ('backend', 'public', 'confidential')),
        name text,
        secret_hash text,
        jwks text,
        jwks_url text,
        redirect_uris text NOT NULL DEFAULT '[]',
        scopes text NOT NULL DEFAULT '',
        roles text NOT NULL DEFAULT '[]',
        organisation text,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      -- People who log in. password_hash is scrypt with its salt and parameters; a one-time password
      -- (bootstrap, demo, reset) must be changed at first login and stops working at password_expires_at.
      CREATE TABLE auth_user (
        username text PRIMARY KEY,
        name text NOT NULL,
        password_hash text NOT NULL,
        roles text NOT NULL DEFAULT '[]',
        fhir_user text,
        organisation text,
        enabled boolean NOT NULL DEFAULT true,
        must_change_password boolean NOT NULL DEFAULT false,
        password_expires_at timestamptz,
        failed_logins integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        password_changed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      -- Browser sessions of the login pages, keyed by the SHA-256 of the cookie value. username is
      -- NULL until the login succeeds; request is the pending authorize request (JSON).
      CREATE TABLE auth_session (
        id_hash text PRIMARY KEY,
        username text,
        csrf text NOT NULL,
        request text,
        last_seen timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      -- Authorisation codes (SHA-256), single use; grant is what the token will carry (JSON).
      CREATE TABLE auth_code (
        code_hash text PRIMARY KEY,
        client_id text NOT NULL,
        redirect_uri text NOT NULL,
        code_challenge text NOT NULL,
        grant_json text NOT NULL,
        expires_at timestamptz NOT NULL,
        used boolean NOT NULL DEFAULT false
      );
      -- Issued access and refresh tokens (SHA-256 of the token: the database never holds a usable
      -- token). token_id names the token in audit records and introspection; refresh_id ties an
      -- access token to the refresh token it came from, so revoking that revokes both.
      CREATE TABLE auth_token (
        token_hash text PRIMARY KEY,
        token_id text NOT NULL UNIQUE,
        kind text NOT NULL CHECK (kind IN ('access', 'refresh')),
        client_id text NOT NULL,
        grant_json text NOT NULL,
        refresh_id text,
        expires_at timestamptz NOT NULL,
        revoked boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX auth_token_refresh ON auth_token (refresh_id);
      CREATE INDEX auth_token_expires ON auth_token (expires_at);
      -- Client assertion ids already seen (replay refused) until the assertion would have expired.
      CREATE TABLE auth_used_jti (
        client_id text NOT NULL,
        jti text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (client_id, jti)
      );
      -- EHR launch contexts (launch parameter): patient, encounter, fhirContext as JSON.
      CREATE TABLE auth_launch (
        id text PRIMARY KEY,
        context text NOT NULL,
        expires_at timestamptz NOT NULL
      );
      -- Token signing keys (JWK). private_jwk is sealed with the SM4 field cipher when a key file is configured.
      CREATE TABLE auth_signing_key (
        kid text PRIMARY KEY,
        alg text NOT NULL,
        private_jwk text NOT NULL,
        public_jwk text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 10,
    name: 'audit hash chain (SM3) over AuditEvents',
    sql: `
      -- One row per audit record in the single order of the chain: hash = SM3(previous hash ‖
      -- canonical JSON of the AuditEvent). An anchor row stands for the records purged after the
      -- retention period: it keeps the last purged hash so the chain stays verifiable.
      CREATE TABLE audit_chain (
        seq bigint PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('event', 'anchor')),
        event_id text,
        recorded timestamptz NOT NULL,
        hash text NOT NULL
      );
      CREATE INDEX audit_chain_recorded ON audit_chain (recorded);
      CREATE INDEX audit_chain_event ON audit_chain (event_id);
      -- The end of the chain, one row: writers lock it (FOR UPDATE) to append, which orders them.
      CREATE TABLE audit_chain_head (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        seq bigint NOT NULL,
        hash text NOT NULL
      );
      INSERT INTO audit_chain_head (one, seq, hash) VALUES (true, 0, repeat('0', 64));
    `,
  },
  {
    version: 11,
    name: 'field-level encryption at rest: which keys the stored values need',
    sql: `
      -- One row (docs/crypto.md): a check value of the blind-index key the search index was built
      -- with, and the ids of the field keys stored values may be sealed under. A server whose key
      -- ring lacks one of them, or has another blind-index key, refuses to start.
      CREATE TABLE field_key_state (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        blind_index_check text NOT NULL,
        field_keys text[] NOT NULL
      );
    `,
  },
  {
    version: 12,
    name: 'audit records linked after commit (no chain head in the writing transaction); break-glass grants; signing key retirement',
    sql: `
      -- An audit record waiting for the linker: inserted in the writer's transaction (so it
      -- commits or rolls back with the change), turned into a chain link shortly after commit by
      -- the one linker (docs/audit.md). Writers never touch audit_chain_head any more.
      CREATE TABLE audit_pending (
        pending_id bigserial PRIMARY KEY,
        event_id text NOT NULL,
        recorded timestamptz NOT NULL,
        written_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX audit_pending_written ON audit_pending (written_at);
      -- When each link was made (NULL for links made before migration 12, which were made at commit).
      ALTER TABLE audit_chain ADD COLUMN linked_at timestamptz;
      -- Emergency access (break-glass, 紧急访问): a user's time-limited access to one patient
      -- that the organisation rule or a security label would refuse (docs/access.md).
      CREATE TABLE access_break_glass (
        id text PRIMARY KEY,
        username text NOT NULL,
        patient_id text NOT NULL,
        reason text NOT NULL,
        granted_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX access_break_glass_user ON access_break_glass (username, patient_id, expires_at);
      -- Signing key rotation: a retired key stops signing and stays in the JWKS until the id_tokens it signed expire.
      ALTER TABLE auth_signing_key ADD COLUMN retired_at timestamptz;
    `,
  },
  {
    version: 13,
    name: 'SM2 signing keys of signers and the signatures of resource versions',
    sql: `
      -- One SM2 key pair per signer (a Practitioner, or the server); private_key is sealed with
      -- the SM4 field cipher, NULL for the server key kept in the key file. A retired key signs
      -- no more but still verifies what it signed (docs/signatures.md).
      CREATE TABLE signature_key (
        kid text PRIMARY KEY,
        signer text NOT NULL,
        public_key text NOT NULL,
        private_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz
      );
      CREATE UNIQUE INDEX signature_key_signer ON signature_key (signer) WHERE retired_at IS NULL;
      -- Which Provenance signs which version of a resource, so a read finds its signature in one lookup.
      CREATE TABLE signature_record (
        target_type text NOT NULL,
        target_id text NOT NULL,
        target_version bigint NOT NULL,
        provenance_id text NOT NULL,
        kid text NOT NULL,
        signed_at timestamptz NOT NULL,
        PRIMARY KEY (target_type, target_id, target_version, provenance_id)
      );
    `,
  },  {
    version: 14,
    name: 'job queue (embedded database), subscription events and delivery log',
    sql: `
      -- The persistent job queue on the embedded database (PostgreSQL uses pg-boss's own schema):
      -- docs/subscriptions.md. A singleton job's id is derived from its key, so enqueueing twice collides.
      CREATE TABLE qiao_job (
        id text PRIMARY KEY,
        seq bigserial NOT NULL,
        name text NOT NULL,
        payload jsonb NOT NULL,
        state text NOT NULL DEFAULT 'created' CHECK (state IN ('created', 'retry', 'active', 'completed', 'failed')),
        run_at timestamptz NOT NULL DEFAULT now(),
        attempt integer NOT NULL DEFAULT 0,
        retry_limit integer NOT NULL,
        backoff_seconds integer NOT NULL,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      );
      CREATE INDEX qiao_job_due ON qiao_job (name, run_at) WHERE state IN ('created', 'retry');
      -- Per Subscription: who created it (criteria and payloads are evaluated as that principal)
      -- and the event counter (eventsSinceSubscriptionStart).
      CREATE TABLE subscription_state (
        subscription_id text PRIMARY KEY,
        principal jsonb NOT NULL,
        events bigint NOT NULL DEFAULT 0
      );
      -- Every event a subscription matched, numbered from 1; one row per resource version, so a
      -- change matched twice (after a restart) keeps its first number.
      CREATE TABLE subscription_event (
        subscription_id text NOT NULL,
        event_number bigint NOT NULL,
        resource_type text NOT NULL,
        resource_id text NOT NULL,
        version_id text NOT NULL,
        occurred timestamptz NOT NULL,
        PRIMARY KEY (subscription_id, event_number),
        UNIQUE (subscription_id, resource_type, resource_id, version_id)
      );
      -- Every delivery attempt (handshake, heartbeat, event), for $status and the delivery log.
      CREATE TABLE subscription_delivery (
        seq bigserial PRIMARY KEY,
        subscription_id text NOT NULL,
        kind text NOT NULL,
        event_number bigint,
        channel text NOT NULL,
        attempt integer NOT NULL,
        outcome text NOT NULL,
        http_status integer,
        error text,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX subscription_delivery_subscription ON subscription_delivery (subscription_id, seq);
      -- How far the matcher has got in the committed changes (resource_history.last_updated): a
      -- restart re-reads from a little before it, so a change committed just before a crash is matched.
      CREATE TABLE subscription_cursor (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        last_updated timestamptz NOT NULL
      );
    `,
  },
  {
    version: 18,
    name: 'Registry submissions, accepted and refused, for the per-institution quality KPIs',
    sql: `
      -- One row per submission of a registry case (docs/registries.md). A refused submission
      -- rolls its write back, so it is recorded here after the rollback: the error rate needs it.
      CREATE TABLE registry_submission (
        id bigserial PRIMARY KEY,
        registry text NOT NULL,
        organisation text NOT NULL,
        case_key text NOT NULL,
        condition_id text,
        submitted_at timestamptz NOT NULL DEFAULT now(),
        accepted boolean NOT NULL,
        errors integer NOT NULL,
        warnings integer NOT NULL,
        rules text NOT NULL DEFAULT '',
        diagnosed date,
        completeness real
      );
      CREATE INDEX registry_submission_org ON registry_submission (registry, organisation, submitted_at);
      CREATE INDEX registry_submission_case ON registry_submission (registry, case_key, submitted_at);
    `,
  },
  {
    version: 19,
    name: 'search: contained resources indexed as resources of their own type (_contained)',
    sql: `
      -- One row per contained resource of a container. The contained resource's own index rows sit
      -- in the search_* tables under resource_type '#' || contained_type and id
      -- resource_type || '/' || id || '#' || local_id, which no search of a type reads.
      -- Resources written before this migration have no such rows until $reindex is run.
      CREATE TABLE search_contained (
        resource_type text NOT NULL,
        id text NOT NULL,
        contained_type text NOT NULL,
        local_id text NOT NULL
      );
      CREATE INDEX search_contained_resource ON search_contained (resource_type, id);
      CREATE INDEX search_contained_type ON search_contained (contained_type, resource_type, id, local_id);
    `,
  },
  {
    version: 20,
    name: 'search: parameter pairs indexed together (a code with its date, value or patient)',
    sql: `
      -- One row per combination of a resource's token values and its partner's value, under the
      -- param '<token>+<partner>' (search/index/pairs.ts): a code and a date window, a code and a
      -- value range, or the patients with a diagnosis become one index range instead of two large
      -- sets met row by row.
      CREATE TABLE search_token_date (
        resource_type text NOT NULL,
        id text NOT NULL,
        param text NOT NULL,
        token_system text,
        token_value text,
        low timestamptz NOT NULL,
        high timestamptz NOT NULL
      );
      CREATE INDEX search_token_date_low ON search_token_date (resource_type, param, token_value, low) INCLUDE (high, token_system, id);
      CREATE INDEX search_token_date_resource ON search_token_date (resource_type, id);

      CREATE TABLE search_token_quantity (
        resource_type text NOT NULL,
        id text NOT NULL,
        param text NOT NULL,
        token_system text,
        token_value text,
        value numeric NOT NULL,
        system text,
        code text,
        unit text,
        canonical_value numeric,
        canonical_code text
      );
      CREATE INDEX search_token_quantity_value ON search_token_quantity (resource_type, param, token_value, value) INCLUDE (token_system, system, code, unit, id);
      CREATE INDEX search_token_quantity_canonical ON search_token_quantity (resource_type, param, token_value, canonical_code, canonical_value) INCLUDE (token_system, id);
      CREATE INDEX search_token_quantity_resource ON search_token_quantity (resource_type, id);

      CREATE TABLE search_token_reference (
        resource_type text NOT NULL,
        id text NOT NULL,
        param text NOT NULL,
        token_system text,
        token_value text,
        target_type text,
        target_id text,
        url text
      );
      -- A code's targets (_has) and a target's codes both read one range.
      CREATE INDEX search_token_reference_target ON search_token_reference (resource_type, param, token_value, target_type, target_id) INCLUDE (token_system, id);
      CREATE INDEX search_token_reference_resource ON search_token_reference (resource_type, id);

      -- The pairs of the resources already stored, from their separate rows (contained ones too).
      INSERT INTO search_token_date (resource_type, id, param, token_system, token_value, low, high)
      SELECT t.resource_type, t.id, 'code+date', t.system, t.value, d.low, d.high
      FROM search_token t
      JOIN search_date d ON d.resource_type = t.resource_type AND d.id = t.id AND d.param = 'date' AND d.grp IS NULL
      WHERE t.resource_type IN ('Observation', '#Observation', 'DiagnosticReport', '#DiagnosticReport') AND t.param = 'code' AND t.grp IS NULL;
      INSERT INTO search_token_quantity (resource_type, id, param, token_system, token_value, value, system, code, unit, canonical_value, canonical_code)
      SELECT t.resource_type, t.id, 'code+value-quantity', t.system, t.value, q.value, q.system, q.code, q.unit, q.canonical_value, q.canonical_code
      FROM search_token t
      JOIN search_quantity q ON q.resource_type = t.resource_type AND q.id = t.id AND q.param = 'value-quantity' AND q.grp IS NULL
      WHERE t.resource_type IN ('Observation', '#Observation') AND t.param = 'code' AND t.grp IS NULL;
      INSERT INTO search_token_reference (resource_type, id, param, token_system, token_value, target_type, target_id, url)
      SELECT t.resource_type, t.id, 'code+patient', t.system, t.value, f.target_type, f.target_id, f.url
      FROM search_token t
      JOIN search_reference f ON f.resource_type = t.resource_type AND f.id = t.id AND f.param = 'patient' AND f.grp IS NULL
      WHERE t.resource_type IN ('Condition', '#Condition') AND t.param = 'code' AND t.grp IS NULL;
      CREATE STATISTICS search_token_date_values (mcv, dependencies) ON resource_type, param, token_value FROM search_token_date;
      CREATE STATISTICS search_token_quantity_values (mcv, dependencies) ON resource_type, param, token_value FROM search_token_quantity;
      CREATE STATISTICS search_token_reference_values (mcv, dependencies) ON resource_type, param, token_value FROM search_token_reference;
      ANALYZE search_token_date;
      ANALYZE search_token_quantity;
      ANALYZE search_token_reference;
    `,
  },
  {
    version: 21,
    name: 'signature receipts: the server vouches for the signatures it made',
    sql: `
      -- HMAC-SM3 under a key from the key file over a signature and the SM3 digest of what it
      -- signed (signatures/receipt.ts): reads of signed reports check it instead of SM2; NULL for
      -- signatures made before, which are verified in full as always.
      ALTER TABLE signature_record ADD COLUMN receipt bytea;
    `,
  },
  {
    version: 22,
    name: 'search: the pair rows of a code in order of their date\'s end',
    sql: `
      -- "Results of this test, newest first" walks the code's pair rows by the end of their date
      -- (search/sql/pair-order.ts) instead of every resource's date; the index by start serves
      -- date windows and the ascending walk.
      CREATE INDEX search_token_date_high ON search_token_date (resource_type, param, token_value, high, id) INCLUDE (token_system);
    `,
  },
  {
    version: 23,
    name: 'search: derived reference parameters keep no rows their sources repeat',
    // Generated from the definitions (search/derived-references.ts) when first read: which
    // parameters are derived is data, as the writer decides it.
    get sql() {
      return `${repeatedRowsSql()}
      ANALYZE search_reference;`;
    },
  },
  {
    version: 24,
    name: 'search: the longest date range stored per parameter, a lower bound for date windows',
    sql: DATE_SPAN_MIGRATION_SQL,
  },
];
