// The dashboard's script: the page the vault serves at /dashboard/* holds an empty #app.
import { render } from 'preact';
import { App } from './app.tsx';

render(<App />, document.getElementById('app')!);
