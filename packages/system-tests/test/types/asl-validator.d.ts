// asl-validator 4 ships no type declarations.
declare module 'asl-validator' {
  interface Result {
    isValid: boolean;
    errors: unknown[];
    errorsText(separator?: string): string;
  }
  const validator: (definition: unknown) => Result;
  export default validator;
}
