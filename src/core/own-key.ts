// Setting a key that comes from configuration (a filter's group names): `obj[key] = value` with
// the key `__proto__` sets the object's prototype instead of adding a field, and the capture is
// lost. An object without a prototype avoids that, but V8 keeps such objects as hash tables, three
// times slower to make; captures are made for every failing line.

/** `obj[key] = value` as an own, enumerable property, whatever the key. */
export function setOwn(obj: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
