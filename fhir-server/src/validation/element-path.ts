/**
 * A FHIRPath-style location (`Bundle.entry[3].resource.name[0]`) kept as a parent chain and
 * turned into text only when an issue needs it, since most elements of a valid resource never do.
 */
export class ElementPath {
  constructor(
    private readonly parent: ElementPath | undefined,
    private readonly name: string,
    private readonly index?: number,
  ) {}

  child(name: string, index?: number): ElementPath {
    return new ElementPath(this, name, index);
  }

  toString(): string {
    const own = this.index === undefined ? this.name : `${this.name}[${this.index}]`;
    return this.parent ? `${this.parent.toString()}.${own}` : own;
  }
}
