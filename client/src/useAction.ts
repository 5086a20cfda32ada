import { useCallback, useState } from 'react';
import { errorMessage } from './ui';

/**
 * The state of a screen's buttons that call the server: which one is busy, the
 * last error and the last confirmation. `run` returns whether the call succeeded.
 */
export function useAction() {
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const [info, setInfo] = useState('');
  const run = useCallback(async (key: string, fn: () => Promise<unknown>, done?: string): Promise<boolean> => {
    setBusy(key);
    setError('');
    setInfo('');
    try {
      await fn();
      if (done) setInfo(done);
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    } finally {
      setBusy('');
    }
  }, []);
  return { busy, error, info, run, setError, setInfo };
}
