import { PageHeader } from '../../../components/PageHeader';
import { UsageCard } from '../../../components/UsageCard';

export default function PortalUsagePage() {
  return (
    <>
      <PageHeader title="Usage and spend" description="Every call made with your keys, by outcome, and what it cost." />
      <UsageCard filter={{}} path="/v1/portal/usage" title="All your keys" spend emptyHint="Calls made with your keys show here within seconds." />
    </>
  );
}
