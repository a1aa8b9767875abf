export default function PortalApp() {
  return null;
}
