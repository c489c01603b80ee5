/**
 * The DICOM index, in the host's PostgreSQL (or PGlite). Matching keys are columns; what is served is
 * precomputed DICOM JSON text, so QIDO and WADO-RS metadata splice stored text and never open a file.
 * Person names are kept as their groups (upper case) and as words, for exact/wildcard and fuzzy matching.
 */
export const DICOM_MIGRATION_SQL = `
  CREATE TABLE dicom_patient (
    patient_key bigserial PRIMARY KEY,
    patient_id text NOT NULL,
    issuer text NOT NULL,
    name_groups text[] NOT NULL DEFAULT '{}',
    name_words text[] NOT NULL DEFAULT '{}',
    attrs text NOT NULL,
    UNIQUE (patient_id, issuer)
  );

  CREATE TABLE dicom_study (
    study_uid text PRIMARY KEY,
    patient_key bigint NOT NULL REFERENCES dicom_patient (patient_key),
    study_date text,
    study_time text,
    accession text,
    study_id text,
    referring_groups text[] NOT NULL DEFAULT '{}',
    referring_words text[] NOT NULL DEFAULT '{}',
    modalities text[] NOT NULL DEFAULT '{}',
    series_count integer NOT NULL DEFAULT 0,
    instance_count integer NOT NULL DEFAULT 0,
    attrs text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX dicom_study_patient ON dicom_study (patient_key);
  CREATE INDEX dicom_study_date ON dicom_study (study_date);
  CREATE INDEX dicom_study_accession ON dicom_study (accession);

  CREATE TABLE dicom_series (
    series_uid text PRIMARY KEY,
    study_uid text NOT NULL REFERENCES dicom_study (study_uid) ON DELETE CASCADE,
    modality text,
    series_number integer,
    pps_start_date text,
    pps_start_time text,
    instance_count integer NOT NULL DEFAULT 0,
    attrs text NOT NULL
  );
  CREATE INDEX dicom_series_study ON dicom_series (study_uid, series_number);

  -- frames: where each frame's bytes are in the file; bulk: byte ranges of large binary elements;
  -- metadata: the full DICOM JSON served by WADO-RS; attrs: the instance-level QIDO attributes.
  CREATE TABLE dicom_instance (
    sop_instance_uid text PRIMARY KEY,
    series_uid text NOT NULL REFERENCES dicom_series (series_uid) ON DELETE CASCADE,
    study_uid text NOT NULL,
    sop_class_uid text NOT NULL,
    instance_number integer,
    transfer_syntax text NOT NULL,
    storage_key text NOT NULL,
    size bigint NOT NULL,
    sha256 text NOT NULL,
    frames jsonb,
    bulk jsonb NOT NULL DEFAULT '{}',
    attrs text NOT NULL,
    metadata text NOT NULL,
    stored_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX dicom_instance_series ON dicom_instance (series_uid, instance_number);
  CREATE INDEX dicom_instance_study ON dicom_instance (study_uid);
`;
