import { useCallback, useEffect, useState } from 'react';
import { ApiError, type Group } from './api';
import { useLeaveEnded } from './gallery';
import { useSession } from './session';

export function useGroup(gid: string) {
  const { api } = useSession();
  const [group, setGroup] = useState<Group | null>(null);
  const [error, setError] = useState('');
  const leave = useLeaveEnded(gid);
  const reload = useCallback(
    () =>
      api.group(gid).then(setGroup, (err) => {
        // Not a member (any more): the group's screens are left, not shown with an error.
        if (err instanceof ApiError && err.status === 404) leave();
        else setError(err.message);
      }),
    [api, gid, leave],
  );
  useEffect(() => {
    reload();
  }, [reload]);
  return { group, error, reload, isModerator: group?.role === 'owner' || group?.role === 'admin' };
}
