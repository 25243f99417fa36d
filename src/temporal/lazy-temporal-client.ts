import { Client, Connection, type ConnectionOptions } from '@temporalio/client';

/**
 * A Temporal client that connects on first use and again after a failed attempt, so a Vigil
 * process starts (and keeps accepting alerts into the outbox) while Temporal is down.
 */
export class LazyTemporalClient {
  private client: Promise<Client> | undefined;
  private connection: Connection | undefined;

  constructor(
    private readonly options: { address: string; namespace: string },
    private readonly connectionOptions: Omit<ConnectionOptions, 'address'> = {},
  ) {}

  get(): Promise<Client> {
    this.client ??= Connection.connect({ connectTimeout: '2s', ...this.connectionOptions, address: this.options.address }).then(
      (connection) => {
        this.connection = connection;
        return new Client({ connection, namespace: this.options.namespace });
      },
      (error: unknown) => {
        this.client = undefined;
        throw error;
      },
    );
    return this.client;
  }

  async close(): Promise<void> {
    await this.connection?.close().catch(() => undefined);
  }
}
