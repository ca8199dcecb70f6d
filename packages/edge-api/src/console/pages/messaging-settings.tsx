// Admin settings, Messaging tab (`/v1/settings/messaging`, manager and above): the monthly
// contact allowance, the organisation's time zone, the hours texts may go in, and the numbers
// they go from, with this month's usage above them. The form posts to the console, which sends it
// on with `PUT`; a refusal comes back with each problem beside its field (form names are the
// API's issue paths, so `senderNumbers.GB` is the United Kingdom's field) in words, without the
// API's status and code, and what was typed kept.
import type { ApiError, MessagingSettings, Usage } from '../../client/index.js';
import { countryName, SEND_HOURS, SMS_COUNTRIES } from '../../messaging/rules/index.js';
import type { ApiResult } from '../api.js';
import { UsagePanel } from './usage.js';
import { type FieldProblem, RefusalSummary, TextField } from './user-fields.js';

export const PREFIX = 'msg';

/** The SMS countries, cheapest route first, then by name. */
export const SMS_COUNTRY_ORDER = Object.entries(SMS_COUNTRIES)
  .sort(([a, tierA], [b, tierB]) => tierA - tierB || countryName(a).localeCompare(countryName(b)))
  .map(([country]) => country);

/** What the form holds, by the API's field paths, as typed. */
export interface MessagingDraft {
  monthlyContactAllowance: string;
  timeZone: string;
  start: string;
  end: string;
  /** By country code; empty: no number. */
  senderNumbers: Record<string, string>;
  whatsappSender: string;
}

export interface MessagingFailure {
  problem: ApiError;
  draft: MessagingDraft;
}

export function draftOf(settings: MessagingSettings): MessagingDraft {
  return {
    monthlyContactAllowance: String(settings.monthlyContactAllowance),
    timeZone: settings.timeZone,
    start: String(settings.sendHours.start),
    end: String(settings.sendHours.end),
    senderNumbers: { ...settings.senderNumbers },
    whatsappSender: settings.whatsappSender ?? '',
  };
}

/** Labels of the fields, by the API's issue path, for the summary's links. */
function labelOf(path: string): string | null {
  if (path === 'monthlyContactAllowance') return 'Monthly contact allowance';
  if (path === 'timeZone') return 'Time zone';
  if (path === 'sendHours.start' || path === 'sendHours') return 'Texts from';
  if (path === 'sendHours.end') return 'Texts until';
  if (path === 'whatsappSender') return 'WhatsApp sender';
  const country = /^senderNumbers\.([A-Z]{2})$/.exec(path)?.[1];
  return country && country in SMS_COUNTRIES ? `Sender number, ${countryName(country)}` : null;
}

/** The field an issue is about: `sendHours` as a whole is shown at its start. */
function fieldOf(path: string): string {
  return path === 'sendHours' ? 'sendHours.start' : path;
}

function digits(text: string): string {
  return text.replace(/\D/g, '');
}

/**
 * The problems beside each field: the API's issues, and a number another organisation has (409,
 * which names the number) beside the field it was typed into, whatever its spacing.
 */
export function fieldProblems(failure: MessagingFailure | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!failure) return out;
  const add = (field: string, message: string) =>
    out.set(field, [...(out.get(field) ?? []), message]);
  for (const issue of failure.problem.issues) {
    if (labelOf(issue.path)) add(fieldOf(issue.path), issue.message);
  }
  const taken =
    failure.problem.code === 'sender_number_taken'
      ? /\+\d+/.exec(failure.problem.message)?.[0]
      : undefined;
  if (taken) {
    const { draft } = failure;
    const typed: [string, string][] = [
      ...Object.entries(draft.senderNumbers).map(([c, n]): [string, string] => [
        `senderNumbers.${c}`,
        n,
      ]),
      ['whatsappSender', draft.whatsappSender],
    ];
    for (const [field, value] of typed) {
      if (value && digits(value) === digits(taken)) add(field, failure.problem.message);
    }
  }
  return out;
}

/** The refusal above the form: field problems link to their fields, the rest in the API's words. */
function FailureSummary({ failure }: { failure: MessagingFailure }) {
  const { problem } = failure;
  const fields = [...fieldProblems(failure).entries()].map(
    ([field, messages]): FieldProblem => ({ field, label: labelOf(field) ?? field, messages }),
  );
  return (
    <RefusalSummary
      problem={problem}
      action="The messaging settings were not saved"
      prefix={PREFIX}
      fields={fields}
      other={problem.issues.filter((issue) => !labelOf(issue.path))}
      // A number another organisation has: the API's words say whose number it is not.
      keepMessage={problem.code === 'sender_number_taken'}
      showStatus={false}
    />
  );
}

function describedBy(id: string, hint: boolean, errors: string[]) {
  const ids = [errors.length > 0 ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

function FieldError({ id, errors }: { id: string; errors: string[] }) {
  return errors.length > 0 ? (
    <p class="field-error" id={`${id}-error`}>
      <span class="visually-hidden">Error: </span>
      {errors.join(' ')}
    </p>
  ) : null;
}

const HOURS_HINT = `${PREFIX}-sendHours-hint`;

function hh(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

/** One end of the send hours: a whole hour from 08:00 to 20:00 (the widest the law allows). */
function HourSelect(props: {
  name: 'start' | 'end';
  label: string;
  value: string;
  errors: string[];
}) {
  const id = `${PREFIX}-sendHours.${props.name}`;
  const hours: number[] = [];
  for (let hour = SEND_HOURS.startHour; hour <= SEND_HOURS.endHour; hour++) hours.push(hour);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={`sendHours.${props.name}`}
        aria-describedby={[props.errors.length > 0 ? `${id}-error` : '', HOURS_HINT]
          .filter(Boolean)
          .join(' ')}
        aria-invalid={props.errors.length > 0 ? 'true' : undefined}
      >
        {/* What was typed stays selectable even if it is not an hour the form offers. */}
        {hours.includes(Number(props.value)) ? null : (
          <option value={props.value} selected>
            {props.value}
          </option>
        )}
        {hours.map((hour) => (
          <option value={String(hour)} selected={String(hour) === props.value}>
            {hh(hour)}
          </option>
        ))}
      </select>
      <FieldError id={id} errors={props.errors} />
    </div>
  );
}

/** The IANA names the runtime knows, offered as suggestions (any other name is refused). */
function zoneNames(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
}

function TimeZoneField(props: { value: string; errors: string[] }) {
  const id = `${PREFIX}-timeZone`;
  const zones = zoneNames();
  return (
    <div class="field">
      <label for={id}>Time zone</label>
      <input
        type="text"
        id={id}
        name="timeZone"
        value={props.value}
        required
        maxlength={64}
        autocomplete="off"
        spellcheck={false}
        list={zones.length > 0 ? `${id}-names` : undefined}
        aria-describedby={describedBy(id, true, props.errors)}
        aria-invalid={props.errors.length > 0 ? 'true' : undefined}
      />
      {zones.length > 0 ? (
        <datalist id={`${id}-names`}>
          {zones.map((zone) => (
            <option value={zone} />
          ))}
        </datalist>
      ) : null}
      <p class="hint" id={`${id}-hint`}>
        An IANA name, e.g. Europe/London or America/New_York. The allowance renews at midnight on
        the 1st of each month on this clock, and quiet hours use it for candidates whose own time
        zone is not known.
      </p>
      <FieldError id={id} errors={props.errors} />
    </div>
  );
}

/** One input per SMS country, in a table so each number sits beside its country. */
function SenderNumbers(props: {
  numbers: Record<string, string>;
  problems: Map<string, string[]>;
}) {
  return (
    <table>
      <caption>
        SMS sender numbers. A text goes from the number in the candidate's own country (a person's
        own sender number there wins); leave a country empty if you have none there. Only these
        countries can be texted by SMS; elsewhere WhatsApp is the channel.
      </caption>
      <thead>
        <tr>
          <th scope="col">Country</th>
          <th scope="col">Number (international format)</th>
        </tr>
      </thead>
      <tbody>
        {SMS_COUNTRY_ORDER.map((country) => {
          const field = `senderNumbers.${country}`;
          const id = `${PREFIX}-${field}`;
          const errors = props.problems.get(field) ?? [];
          return (
            <tr>
              <th scope="row">
                <label for={id}>
                  {countryName(country)
                    .replace(/^the /, '')
                    .replace(/^./, (c) => c.toUpperCase())}{' '}
                  <span class="muted">({country})</span>
                </label>
              </th>
              <td>
                <input
                  type="tel"
                  id={id}
                  name={field}
                  value={props.numbers[country] ?? ''}
                  maxlength={32}
                  autocomplete="off"
                  aria-describedby={describedBy(id, false, errors)}
                  aria-invalid={errors.length > 0 ? 'true' : undefined}
                />
                <FieldError id={id} errors={errors} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function MessagingSection(props: {
  settings: MessagingSettings;
  usage: ApiResult<Usage>;
  failure?: MessagingFailure | undefined;
}) {
  const { settings, failure } = props;
  const draft = failure?.draft ?? draftOf(settings);
  const problems = fieldProblems(failure);
  const errors = (field: string) => problems.get(field) ?? [];
  return (
    <>
      <UsagePanel usage={props.usage} place="settings" canManage />
      <section class="card" aria-labelledby="msg-heading">
        <h2 id="msg-heading">Texting candidates</h2>
        {failure ? <FailureSummary failure={failure} /> : null}
        <form method="post" action="/console/settings/messaging">
          <TextField
            prefix={PREFIX}
            name="monthlyContactAllowance"
            label="Monthly contact allowance"
            value={draft.monthlyContactAllowance}
            required
            maxlength={9}
            hint="Contacts the organisation may use each month: a text to a candidate not messaged in the last 45 days uses one. Raising it is how more are bought; every change is recorded in the audit log."
            errors={errors('monthlyContactAllowance')}
          />
          <TimeZoneField value={draft.timeZone} errors={errors('timeZone')} />
          <fieldset>
            <legend>Hours texts may be delivered, on the candidate's clock</legend>
            <p class="hint" id={HOURS_HINT}>
              At most {hh(SEND_HOURS.startHour)} to {hh(SEND_HOURS.endHour)}: you may narrow these
              hours, not widen them. A text sent outside them waits for the next morning; it is
              never dropped.
            </p>
            <div class="row">
              <HourSelect
                name="start"
                label="Texts from"
                value={draft.start}
                errors={errors('sendHours.start')}
              />
              <HourSelect
                name="end"
                label="Texts until"
                value={draft.end}
                errors={errors('sendHours.end')}
              />
            </div>
          </fieldset>
          <SenderNumbers numbers={draft.senderNumbers} problems={problems} />
          <TextField
            prefix={PREFIX}
            name="whatsappSender"
            label="WhatsApp sender"
            type="tel"
            value={draft.whatsappSender}
            maxlength={32}
            hint="Your WhatsApp Business number, in international format. Empty: no WhatsApp."
            errors={errors('whatsappSender')}
          />
          <p class="hint">
            A sender number belongs to one organisation: replies find you by it, so a number another
            organisation uses is refused.
          </p>
          <button type="submit">Save messaging settings</button>
        </form>
      </section>
    </>
  );
}
