import { mount } from './app/App';
import { PortalApp } from './app/PortalApp';

mount(<PortalApp />);
