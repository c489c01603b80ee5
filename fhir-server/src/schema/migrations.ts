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
];
