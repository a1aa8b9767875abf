import { BrowserRouter } from 'react-router';
import { ErrorMessage } from '../components/ErrorMessage';
import { Loading } from '../components/Loading';
import { useSession } from '../features/session/api/session';
import { SignInPage } from '../features/session/components/SignInPage';
import { ConsoleRoutes } from '../routes/ConsoleRoutes';
import { Shell } from './Shell';

export function ConsoleApp() {
  const session = useSession();
  if (session.isPending) return <Loading label="Checking your session…" />;
  if (session.isError) return <ErrorMessage error={session.error} />;
  if (!session.data) return <SignInPage />;
  return (
    <BrowserRouter basename="/console">
      <Shell actor={session.data.actor}>
        <ConsoleRoutes />
      </Shell>
    </BrowserRouter>
  );
}
