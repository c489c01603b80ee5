import type { Identifier, Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';
import { FhirError } from '../../errors/fhir-error.js';

export interface Found<T> {
  value: T;
  /** FHIRPath of the value in the request, e.g. `Parameters.parameter[1].valueBoolean`. */
  expression: string;
}

/** Reads an operation's Parameters body, naming the exact parameter in every error. */
export class ParameterReader {
  readonly parameters: Parameters;

  constructor(body: unknown) {
    if (body === undefined) throw new FhirError('body.empty');
    if (typeof body !== 'object' || body === null || (body as Resource).resourceType !== 'Parameters') {
      throw new FhirError('mpi.body-not-parameters', {}, 'resourceType');
    }
    this.parameters = body as Parameters;
  }

  static missing(name: string): string {
    return `Parameters.parameter.where(name = '${name}')`;
  }

  all(name: string): { parameter: ParametersParameter; index: number }[] {
    return (this.parameters.parameter ?? []).flatMap((parameter, index) => (parameter.name === name ? [{ parameter, index }] : []));
  }

  private one(name: string): { parameter: ParametersParameter; index: number } | undefined {
    const found = this.all(name);
    if (found.length > 1) throw new FhirError('mpi.parameter-repeated', { name }, `Parameters.parameter[${(found[1] as { index: number }).index}]`);
    return found[0];
  }

  private typed<T>(name: string, element: keyof ParametersParameter, type: string): Found<T> | undefined {
    const found = this.one(name);
    if (!found) return undefined;
    const value = found.parameter[element];
    const expression = `Parameters.parameter[${found.index}].${element}`;
    if (value === undefined) throw new FhirError('mpi.parameter-type', { name, type }, `Parameters.parameter[${found.index}]`);
    return { value: value as T, expression };
  }

  resource<T extends Resource>(name: string): Found<T> | undefined {
    const found = this.typed<T>(name, 'resource', 'resource');
    if (found && (typeof found.value !== 'object' || found.value === null)) throw new FhirError('mpi.parameter-type', { name, type: 'resource' }, found.expression);
    return found;
  }

  boolean(name: string, fallback: boolean): boolean {
    const found = this.typed<unknown>(name, 'valueBoolean', 'valueBoolean');
    if (!found) return fallback;
    if (typeof found.value !== 'boolean') throw new FhirError('mpi.parameter-type', { name, type: 'valueBoolean' }, found.expression);
    return found.value;
  }

  integer(name: string): Found<unknown> | undefined {
    return this.typed<unknown>(name, 'valueInteger', 'valueInteger');
  }

  reference(name: string): Found<string> | undefined {
    const found = this.typed<{ reference?: unknown }>(name, 'valueReference', 'valueReference');
    if (!found) return undefined;
    const reference = found.value.reference;
    if (typeof reference !== 'string') throw new FhirError('mpi.patient-reference', { name, reference: String(reference ?? '') }, `${found.expression}.reference`);
    return { value: reference, expression: `${found.expression}.reference` };
  }

  identifiers(name: string): Found<Identifier>[] {
    return this.all(name).map(({ parameter, index }) => {
      const identifier = parameter.valueIdentifier;
      const expression = `Parameters.parameter[${index}].valueIdentifier`;
      if (!identifier?.system || !identifier.value) throw new FhirError('mpi.parameter-type', { name, type: 'valueIdentifier' }, expression);
      return { value: identifier, expression };
    });
  }
}
