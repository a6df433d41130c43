// Owns name-keyed records of values. Names come from graph files, so any name — "__proto__",
// "toString", "constructor" — must be an ordinary own key: records have no prototype, are
// written with defineProperty and read only through own properties.

/** An empty record with no prototype, or one filled from entries. */
export function ownRecord<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const record = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) setOwn(record, key, value);
  return record;
}

/** Sets an own, enumerable property, even where plain assignment would hit a setter. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** An own property's value, never an inherited one. */
export function getOwn<T>(source: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(source, key) ? source[key] : undefined;
}

/** Copies the own properties of `source` onto `target`, as own properties. */
export function assignOwn<T>(target: Record<string, T>, source: Readonly<Record<string, T>>): void {
  for (const key of Object.keys(source)) setOwn(target, key, source[key]!);
}
