import { useForm } from 'react-hook-form';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { useSignIn } from '../api/session';

interface SignInForm {
  key: string;
}

/**
 * The admin key is typed (or pasted) here and sent once. The field is cleared as soon as
 * the request is made; nothing of it is stored in the browser.
 */
export function SignInPage() {
  const signIn = useSignIn();
  const { register, handleSubmit, reset, formState } = useForm<SignInForm>({ defaultValues: { key: '' } });
  return (
    <main className="sign-in">
      <div className="card sign-in-card">
        <p className="brand">Keywarden</p>
        <h1>Sign in to the console</h1>
        <p className="muted">
          Paste an admin key. It is exchanged once for a session that ends after inactivity or when the key is revoked; the
          browser never keeps the key.
        </p>
        <form
          className="stack"
          onSubmit={(event) => {
            // A new attempt: the previous attempt's answer no longer applies.
            signIn.reset();
            void handleSubmit(({ key }) => {
              reset({ key: '' });
              signIn.mutate({ key: key.trim() });
            })(event);
          }}
        >
          <label className="field">
            <span>Admin key</span>
            <input
              type="password"
              autoComplete="off"
              spellCheck={false}
              placeholder="kw_admin_…"
              aria-invalid={formState.errors.key ? true : undefined}
              {...register('key', { required: 'Enter an admin key' })}
            />
          </label>
          {formState.errors.key && (
            <p role="alert" className="error">
              {formState.errors.key.message}
            </p>
          )}
          <ErrorMessage error={signIn.error} />
          <button type="submit" className="button-primary" disabled={signIn.isPending}>
            {signIn.isPending ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p className="muted small">
          No admin key yet? <code>npm run up</code> prints the first one; <code>node apps/api/dist/cli.js bootstrap</code> creates
          another workspace with its owner key.
        </p>
      </div>
    </main>
  );
}
