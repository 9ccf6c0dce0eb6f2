// An API error under a form: the message, and for query errors the caret display the API computed.
import { ApiError } from '../api';

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  if (error instanceof ApiError) {
    return (
      <div class="error" role="alert">
        <div><code>{error.body.code}</code> {error.body.message}</div>
        {error.body.caret && <pre class="caret">{error.body.caret}</pre>}
      </div>
    );
  }
  return <div class="error" role="alert">{error instanceof Error ? error.message : String(error)}</div>;
}
