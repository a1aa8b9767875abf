/** Marks, in a compile error, a field of the wire type that the DTO class does not declare. */
interface FieldOfWireTypeMissingFromDto {
  readonly declareThisFieldInTheDto: never;
}

/** Marks, in a compile error, a DTO field that its wire type does not have. */
interface DtoFieldNotInWireType {
  readonly removeThisFieldOrAddItToTheWireType: never;
}

/**
 * What a DTO class `implements`: its wire type, made exact. `implements Wire` alone lets
 * a DTO leave out an optional field of the wire type, and with `forbidNonWhitelisted` the
 * API would then answer 400 to a client that sends it. Here every field of the wire type
 * the class does not declare (optional ones included), and every field it declares
 * beyond the wire type, is a compile error naming that field:
 *
 *   export class CreateKeyDto implements ExactContract<CreateKeyDto, CreateKeyRequest> { ... }
 */
export type ExactContract<Dto, Wire> = Wire & {
  [Field in Exclude<keyof Wire, keyof Dto>]-?: FieldOfWireTypeMissingFromDto;
} & {
  [Field in Exclude<keyof Dto, keyof Wire>]: DtoFieldNotInWireType;
};
