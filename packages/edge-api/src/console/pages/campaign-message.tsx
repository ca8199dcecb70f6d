// The Message step (the channel, the text with its mail-merge toolbar, or a saved template) and the
// Review step (everything in words, the estimate, and how it starts). The toolbar's buttons post
// the form without script (the field goes at the end of the text); `campaign-form.js` inserts it
// at the cursor instead.
import type { CampaignEstimate } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { type CampaignForm, timeframeLabel } from '../campaign-form.js';
import { tagsOfText } from '../forms.js';
import { EstimatePanel } from './campaign-estimate.js';
import { RadioGroup, type StepProps } from './campaign-steps.js';
import { issuesOf, TextArea, TextField } from './user-fields.js';

const PREFIX = 'campaign';

function ContentText(props: StepProps) {
  const { form, problem } = props;
  return (
    <>
      <fieldset class="toolbar">
        <legend class="visually-hidden">Insert into the message</legend>
        <button
          type="submit"
          name="insert"
          value="firstName"
          class="secondary"
          data-insert="firstName"
        >
          First name
        </button>
        <button type="submit" name="insert" value="url" class="secondary" data-insert="url">
          URL
        </button>
        <button type="submit" name="insert" value="template" class="secondary">
          Template…
        </button>
      </fieldset>
      <TextArea
        prefix={PREFIX}
        name="message"
        label="Message"
        value={form.message ?? ''}
        maxlength={1600}
        hint="Up to 1,600 characters. {{firstName}} becomes each candidate’s first name (“there” without one); {{url}} their own tracked link to the campaign URL, which it needs."
        errors={issuesOf(problem, 'message')}
      />
    </>
  );
}

function ContentTemplate(props: StepProps) {
  const { form, problem } = props;
  return (
    <>
      <fieldset class="toolbar">
        <legend class="visually-hidden">Message content</legend>
        <button type="submit" name="insert" value="text" class="secondary">
          Write a text instead
        </button>
      </fieldset>
      <TextField
        prefix={PREFIX}
        name="templateId"
        label="Saved template"
        value={form.templateId ?? ''}
        maxlength={64}
        hint="The id of an approved template (WhatsApp needs one: a campaign text is always outside its 24-hour window)."
        errors={issuesOf(problem, 'templateId')}
      />
      <TextArea
        prefix={PREFIX}
        name="templateVariables"
        label="Template variables (optional)"
        value={form.templateVariables ?? ''}
        hint="One per line, name=value, e.g. 1=engineering."
        errors={issuesOf(problem, 'templateVariables')}
      />
    </>
  );
}

export function MessageStep(props: StepProps) {
  const { form, problem } = props;
  return (
    <>
      <RadioGroup
        name="channel"
        legend="Channel"
        value={form.channel ?? 'sms'}
        options={[
          { value: 'sms', label: 'SMS, with a message' },
          { value: 'whatsapp', label: 'WhatsApp, with an approved template' },
        ]}
        errors={issuesOf(problem, 'channel')}
      />
      <input
        type="hidden"
        name="content"
        value={form.content === 'template' ? 'template' : 'text'}
      />
      {form.content === 'template' ? <ContentTemplate {...props} /> : <ContentText {...props} />}
    </>
  );
}

function Fact(props: { term: string; value: string | undefined }) {
  const value = props.value?.trim();
  return (
    <>
      <dt>{props.term}</dt>
      <dd class="prose-value">{value ? value : <span class="muted">None</span>}</dd>
    </>
  );
}

/** Everything the form says, in words, before it is saved. */
export function Summary(props: { form: CampaignForm; senderName: string }) {
  const { form } = props;
  const tags = tagsOfText(form.tags);
  const template = form.content === 'template';
  return (
    <dl class="settings">
      <Fact term="Name" value={form.name} />
      <Fact term="Job code" value={form.code} />
      <Fact term="URL" value={form.url} />
      <Fact term="Automatic response" value={form.autoResponse} />
      <Fact term="Last contacted" value={timeframeLabel(form.timeframe ?? '')} />
      <Fact
        term="Tags"
        value={
          tags.length === 0
            ? 'Any candidate'
            : `${form.tagsMode === 'all' ? 'All' : 'Any'} of ${tags.join(', ')}`
        }
      />
      <Fact term="From" value={props.senderName} />
      <Fact term="Send time" value={form.sendTime} />
      <Fact term="Channel" value={form.channel === 'whatsapp' ? 'WhatsApp' : 'SMS'} />
      {template ? (
        <>
          <Fact term="Saved template" value={form.templateId} />
          <Fact term="Template variables" value={form.templateVariables} />
        </>
      ) : (
        <Fact term="Message" value={form.message} />
      )}
    </dl>
  );
}

export function ReviewStep(
  props: StepProps & {
    senderName: string;
    estimate: ApiResult<CampaignEstimate> | null;
    /** A new campaign chooses how it starts; an existing one changes state on its page. */
    creating: boolean;
  },
) {
  return (
    <>
      <Summary form={props.form} senderName={props.senderName} />
      <EstimatePanel estimate={props.estimate} />
      {props.creating ? (
        <RadioGroup
          name="state"
          legend="Start"
          value={props.form.state === 'disabled' ? 'disabled' : 'enabled'}
          options={[
            { value: 'enabled', label: 'Enabled: it runs every day from its next send time' },
            { value: 'disabled', label: 'Disabled: saved, but it sends nothing until enabled' },
          ]}
          errors={issuesOf(props.problem, 'state')}
        />
      ) : null}
    </>
  );
}
