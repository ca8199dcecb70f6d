// A candidate's tags on their profile, and for `user` and above (every role) the form that
// replaces them (`PUT /v1/candidates/{id}/tags`); a refusal shows beside the field in the API's
// words, with what was typed kept.
import type { ApiError, Tags } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { Problem } from '../layout.js';

export interface TagsEdit {
  /** What was typed, shown again after a refusal. */
  typed: string;
  problem: ApiError;
}

export function CandidateTags(props: {
  base: string;
  tags: ApiResult<Tags>;
  edit?: TagsEdit | undefined;
}) {
  const { tags, edit } = props;
  if (!tags.ok) return <Problem problem={tags.problem} />;
  const current = tags.data.tags;
  return (
    <section aria-labelledby="tags-heading">
      <h2 id="tags-heading">Tags</h2>
      <p id="tags-now">
        {current.length > 0 ? (
          current.map((tag) => <span class="badge tag">{tag}</span>)
        ) : (
          <span class="muted">No tags yet.</span>
        )}
      </p>
      <form method="post" action={`${props.base}/tags`} class="row">
        <div>
          <label for="tags-input">Tags, comma-separated</label>
          <input
            type="text"
            id="tags-input"
            name="tags"
            value={edit ? edit.typed : current.join(', ')}
            aria-describedby={edit ? 'tags-problem' : undefined}
            aria-invalid={edit ? 'true' : undefined}
          />
        </div>
        <button type="submit" class="secondary">
          Save tags
        </button>
      </form>
      {edit ? (
        <div id="tags-problem">
          <Problem problem={edit.problem} />
        </div>
      ) : null}
    </section>
  );
}
