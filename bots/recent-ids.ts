/**
 * Message ids this process sent, newest kept: insertion order, the oldest dropped past `max`.
 * Adapters use it to recognise their own sends when the platform reports them back as messages
 * from the shop (TikTok's New message webhook, Baileys' `fromMe` echo), before the send activity
 * has stored the id as platformMessageId on the outbound record.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly max: number) {}

  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    while (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value!);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
