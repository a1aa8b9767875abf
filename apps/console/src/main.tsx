import { mount } from './app/App';
import { ConsoleApp } from './app/ConsoleApp';

mount(<ConsoleApp />);
