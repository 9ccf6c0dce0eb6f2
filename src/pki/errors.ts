// Errors raised by the built-in PKI (key/certificate generation, loading and inspection), each with a stable code.

export type PkiErrorCode =
  | 'LW_ERR_PKI_USAGE' // bad command line / options
  | 'LW_ERR_PKI_EXISTS' // refusing to overwrite an existing key or certificate
  | 'LW_ERR_PKI_READ' // a file could not be read or parsed
  | 'LW_ERR_PKI_KEY' // a private key could not be loaded (wrong passphrase, unsupported type)
  | 'LW_ERR_PKI_CSR' // a certificate request is invalid (bad signature, refused by policy)
  | 'LW_ERR_PKI_CA'; // the CA is unusable (not a CA, key does not match)

export class PkiError extends Error {
  readonly code: PkiErrorCode;
  constructor(code: PkiErrorCode, message: string) {
    super(message);
    this.name = 'PkiError';
    this.code = code;
  }
}
