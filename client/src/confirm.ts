import { Alert } from 'react-native';

/** Asks before something that cannot be undone. */
export function confirm(title: string, message: string, action = 'OK'): Promise<boolean> {
  return new Promise((resolve) =>
    Alert.alert(title, message, [
      { text: 'Cancel', style: 'cancel', onPress: () => resolve(false) },
      { text: action, style: 'destructive', onPress: () => resolve(true) },
    ]),
  );
}
