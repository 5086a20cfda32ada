import { useCallback, useEffect, useState } from 'react';
import type { Group } from './api';
import { useSession } from './session';

export function useGroup(gid: string) {
  const { api } = useSession();
  const [group, setGroup] = useState<Group | null>(null);
  const [error, setError] = useState('');
  const reload = useCallback(() => api.group(gid).then(setGroup, (err) => setError(err.message)), [api, gid]);
  useEffect(() => {
    reload();
  }, [reload]);
  return { group, error, reload, isModerator: group?.role === 'owner' || group?.role === 'admin' };
}
