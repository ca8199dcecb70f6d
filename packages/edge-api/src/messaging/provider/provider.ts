// The one interface the sender and the webhooks talk to, so another provider than Twilio can be
// added beside it. A send either hands the message over (`accepted`, with the provider's id) or
// says whether trying again could help: a refusal the provider made about this message (an
// invalid or unsubscribed number) is final; a provider that could not be reached is retried.
export interface OutboundText {
  /** `+E164`, or `whatsapp:+E164` (or another channel prefix) for chat channels. */
  to: string;
  from: string;
  body?: string | null | undefined;
  /** An approved template (WhatsApp outside its 24-hour window) and its variables. */
  templateId?: string | null | undefined;
  variables?: Record<string, string> | null | undefined;
  /** Where the provider posts this message's status changes. */
  statusCallback: string;
}

export type SendOutcome =
  | { ok: true; providerSid: string; status: string }
  | { ok: false; retryable: boolean; code: string; message: string };

/** A status change or an inbound message, as the provider posted it (already verified). */
export interface ProviderPost {
  params: URLSearchParams;
}

export interface MessagingProvider {
  readonly name: string;
  send(text: OutboundText): Promise<SendOutcome>;
  /** Whether a webhook post to `url` with these form parameters is signed by the provider. */
  verify(url: string, params: URLSearchParams, signature: string | null): Promise<boolean>;
}
