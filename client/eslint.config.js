// ESLint: Expo's rules (React, hooks, imports, TypeScript) for the app's code.
const { defineConfig } = require('eslint/config');
const expoConfig = require('eslint-config-expo/flat');

module.exports = defineConfig([
  expoConfig,
  {
    ignores: ['dist/*', 'node_modules/*', '.expo/*'],
  },
  {
    rules: {
      // Hooks are where the app's bugs would hide: both rules are errors.
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // The React Compiler's advice against loading (and resetting) a screen's
      // data in an effect: the screens here do exactly that, keyed by what
      // they show, and the alternative is a data library the app does without.
      'react-hooks/set-state-in-effect': 'off',
    },
  },
  {
    // The browser tests and their helpers run in Node.
    files: ['e2e/**'],
    languageOptions: { globals: { __dirname: 'readonly', require: 'readonly', module: 'writable', process: 'readonly' } },
  },
]);
