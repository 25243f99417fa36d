import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { VigilError } from '../common/errors/vigil-error.js';

export interface EncryptedSecrets {
  ciphertext: Buffer;
  iv: Buffer;
  authTag: Buffer;
  keyId: string;
}

const IV_BYTES = 12;

/**
 * AES-256-GCM for connection secrets. The first configured key encrypts; any configured key
 * decrypts (by the row's key id), so keys can be rotated without downtime. The associated data
 * binds a ciphertext to its tenant and connection: a ciphertext copied to another row fails to open.
 */
@Injectable()
export class SecretsCipher {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly currentId: string | undefined;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'secretsKeys'>) {
    this.keys = new Map(config.secretsKeys.map((k) => [k.id, Buffer.from(k.key, 'base64')]));
    this.currentId = config.secretsKeys[0]?.id;
  }

  /** The key new secrets are encrypted with. */
  get currentKeyId(): string {
    if (this.currentId === undefined) throw missingKey();
    return this.currentId;
  }

  encrypt(secrets: Readonly<Record<string, string>>, associatedData: string): EncryptedSecrets {
    const keyId = this.currentKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(keyId)!, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
    return { ciphertext, iv, authTag: cipher.getAuthTag(), keyId };
  }

  decrypt(encrypted: EncryptedSecrets, associatedData: string): Record<string, string> {
    if (this.currentId === undefined) throw missingKey();
    const key = this.keys.get(encrypted.keyId);
    if (!key) {
      throw new VigilError('unavailable', `connection secrets were encrypted with key ${encrypted.keyId}, which VIGIL_SECRETS_KEYS no longer holds`, { keyId: encrypted.keyId });
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, encrypted.iv);
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(encrypted.authTag);
      const plain = Buffer.concat([decipher.update(encrypted.ciphertext), decipher.final()]).toString('utf8');
      return JSON.parse(plain) as Record<string, string>;
    } catch {
      // Never echo anything of the ciphertext or key: only that it did not open.
      throw new VigilError('unavailable', `connection secrets could not be decrypted with key ${encrypted.keyId}`, { keyId: encrypted.keyId });
    }
  }
}

function missingKey(): VigilError {
  return new VigilError('unavailable', 'no secrets key is configured: set VIGIL_SECRETS_KEYS (keyId:base64 32-byte key) to store connection secrets', {});
}

/** What a connection's ciphertext is bound to. */
export function connectionAssociatedData(tenantId: string, connectionId: string): string {
  return `vigil:connection:${tenantId}:${connectionId}`;
}
