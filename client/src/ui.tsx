// The app's few building blocks, so every screen looks and reads the same and
// every control carries a label for screen readers.
import React from 'react';
import {
  ActivityIndicator,
  Platform,
  Pressable,
  ScrollView,
  StyleSheet,
  Text,
  TextInput,
  View,
  type TextInputProps,
  type ViewStyle,
} from 'react-native';

export const colors = {
  bg: '#f6f5f2',
  card: '#ffffff',
  text: '#1d1c1a',
  muted: '#6b6862',
  border: '#e3e0da',
  accent: '#b5441c', // 5:1 against white and the background (WCAG AA)
  accentText: '#ffffff',
  danger: '#b3261e',
  ok: '#2e7d4f',
  placeholder: '#e9e6e0',
};

export function Screen({ children, wide, scroll = true }: { children: React.ReactNode; wide?: boolean; scroll?: boolean }) {
  const inner = <View style={[styles.inner, wide && styles.wide]}>{children}</View>;
  if (!scroll) return <View style={styles.screen}>{inner}</View>;
  return (
    <ScrollView style={styles.screen} contentContainerStyle={styles.scrollContent} keyboardShouldPersistTaps="handled">
      {inner}
    </ScrollView>
  );
}

export function Title({ children }: { children: React.ReactNode }) {
  return (
    <Text style={styles.title} accessibilityRole="header">
      {children}
    </Text>
  );
}

export function Heading({ children }: { children: React.ReactNode }) {
  return (
    <Text style={styles.heading} accessibilityRole="header" aria-level={2}>
      {children}
    </Text>
  );
}

export function Body({ children, muted, style }: { children: React.ReactNode; muted?: boolean; style?: object }) {
  return <Text style={[styles.body, muted && styles.muted, style]}>{children}</Text>;
}

export function Field({ label, hint, ...props }: TextInputProps & { label: string; hint?: string }) {
  return (
    <View style={styles.field}>
      <Text style={styles.label}>{label}</Text>
      <TextInput
        accessibilityLabel={label}
        aria-label={label}
        placeholderTextColor={colors.muted}
        style={styles.input}
        autoCapitalize="none"
        {...props}
      />
      {hint ? <Text style={styles.hint}>{hint}</Text> : null}
    </View>
  );
}

type ButtonProps = {
  title: string;
  onPress?: () => void;
  variant?: 'primary' | 'secondary' | 'danger' | 'link';
  busy?: boolean;
  disabled?: boolean;
  small?: boolean;
  style?: ViewStyle;
  accessibilityLabel?: string;
  /** "link" when it takes the person to another screen (used inside expo-router's <Link asChild>). */
  role?: 'button' | 'link';
};

export function Button({ title, onPress, variant = 'primary', busy, disabled, small, style, accessibilityLabel, role = 'button', ...rest }: ButtonProps) {
  const off = disabled || busy;
  return (
    <Pressable
      {...rest}
      accessibilityRole={role}
      accessibilityLabel={accessibilityLabel ?? title}
      accessibilityState={{ disabled: !!off, busy: !!busy }}
      disabled={off}
      onPress={onPress}
      style={({ pressed, hovered, focused }: any) => [
        styles.button,
        small && styles.buttonSmall,
        styles[variant],
        // Darker on hover and press rather than translucent: text keeps its contrast.
        (pressed || hovered) && (variant === 'primary' ? styles.primaryActive : styles.otherActive),
        focused && styles.focused,
        off && styles.disabled,
        style,
      ]}
    >
      {busy ? <ActivityIndicator color={variant === 'primary' ? colors.accentText : colors.accent} size="small" /> : null}
      <Text style={[styles.buttonText, small && styles.buttonTextSmall, variant !== 'primary' && styles[`${variant}Text` as const]]}>{title}</Text>
    </Pressable>
  );
}

export function Notice({ children, kind = 'error' }: { children: React.ReactNode; kind?: 'error' | 'info' | 'ok' }) {
  if (!children) return null;
  return (
    <View style={[styles.notice, kind === 'error' ? styles.noticeError : kind === 'ok' ? styles.noticeOk : styles.noticeInfo]} accessibilityRole={kind === 'error' ? 'alert' : 'text'} aria-live="polite">
      <Text style={styles.noticeText}>{children}</Text>
    </View>
  );
}

export function Card({ children, style }: { children: React.ReactNode; style?: ViewStyle }) {
  return <View style={[styles.card, style]}>{children}</View>;
}

/** A dialog over the screen: a frame for a sheet's own content. */
export function Sheet({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <View style={[StyleSheet.absoluteFill, styles.sheetBackdrop]}>
      <View>
        <View style={styles.sheet} accessibilityViewIsModal aria-modal role="dialog" aria-label={label}>
          {children}
        </View>
      </View>
    </View>
  );
}

export function Row({ children, style, wrap }: { children: React.ReactNode; style?: ViewStyle; wrap?: boolean }) {
  return <View style={[styles.row, wrap && { flexWrap: 'wrap' }, style]}>{children}</View>;
}

/** A bar; `warn` turns it red when nearly full (for allowances, not for progress). */
export function Meter({ value, max, label, warn }: { value: number; max: number; label: string; warn?: boolean }) {
  const pct = max > 0 ? Math.min(1, value / max) : 0;
  return (
    <View accessibilityRole="progressbar" accessibilityLabel={label} accessibilityValue={{ min: 0, max: 100, now: Math.round(pct * 100) }} style={styles.meter}>
      <View style={[styles.meterFill, { width: `${pct * 100}%` }, warn && pct > 0.9 && { backgroundColor: colors.danger }]} />
    </View>
  );
}

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <View style={styles.loading} accessibilityLabel={label}>
      <ActivityIndicator color={colors.accent} />
    </View>
  );
}

export function formatDate(iso?: string | null, withTime = true): string {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleString(undefined, withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' });
}

/**
 * A wall-clock time without a zone (a photo's taken_at_local), shown as it
 * is: the time where the photo was taken, whatever the viewer's own zone.
 */
export function formatWallClock(local?: string | null): string {
  const m = local?.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/);
  if (!m) return '';
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
}

/** A video's length as players show it: 0:07, 12:30, 1:02:03. */
export function formatDuration(ms?: number | null): string {
  if (!ms) return '';
  const s = Math.round(ms / 1000);
  const mm = String(Math.floor(s / 60) % 60);
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : 'Something went wrong.';
}

export const styles = StyleSheet.create({
  sheetBackdrop: { flex: 1, backgroundColor: 'rgba(0,0,0,0.5)', justifyContent: 'center', padding: 16 },
  sheet: { backgroundColor: colors.card, borderRadius: 16, padding: 20, gap: 12, width: '100%', maxWidth: 440, alignSelf: 'center' },
  screen: { flex: 1, backgroundColor: colors.bg },
  scrollContent: { flexGrow: 1 },
  inner: { width: '100%', maxWidth: 560, alignSelf: 'center', padding: 20, gap: 12 },
  wide: { maxWidth: 1200 },
  title: { fontSize: 26, fontWeight: '700', color: colors.text, marginBottom: 4 },
  heading: { fontSize: 18, fontWeight: '700', color: colors.text, marginTop: 12 },
  body: { fontSize: 15, color: colors.text, lineHeight: 22 },
  muted: { color: colors.muted },
  field: { gap: 4 },
  label: { fontSize: 14, fontWeight: '600', color: colors.text },
  hint: { fontSize: 12, color: colors.muted },
  input: {
    borderWidth: 1,
    borderColor: colors.border,
    borderRadius: 10,
    paddingHorizontal: 12,
    paddingVertical: Platform.OS === 'web' ? 10 : 12,
    fontSize: 16,
    backgroundColor: colors.card,
    color: colors.text,
  },
  button: {
    flexDirection: 'row',
    alignItems: 'center',
    justifyContent: 'center',
    gap: 8,
    paddingHorizontal: 18,
    paddingVertical: 12,
    borderRadius: 10,
  },
  buttonSmall: { paddingHorizontal: 12, paddingVertical: 7, borderRadius: 8 },
  primary: { backgroundColor: colors.accent },
  secondary: { backgroundColor: colors.card, borderWidth: 1, borderColor: colors.border },
  danger: { backgroundColor: colors.card, borderWidth: 1, borderColor: colors.danger },
  link: { backgroundColor: 'transparent', paddingHorizontal: 4 },
  primaryActive: { backgroundColor: '#943716' },
  otherActive: { backgroundColor: '#efece6' },
  focused: { outlineStyle: 'solid', outlineWidth: 2, outlineColor: colors.text } as any,
  disabled: { opacity: 0.5 },
  buttonText: { color: colors.accentText, fontWeight: '600', fontSize: 15 },
  buttonTextSmall: { fontSize: 13 },
  secondaryText: { color: colors.text },
  dangerText: { color: colors.danger },
  linkText: { color: colors.accent, textDecorationLine: 'underline' },
  notice: { padding: 12, borderRadius: 10 },
  noticeError: { backgroundColor: '#fbe9e7' },
  noticeInfo: { backgroundColor: '#eef2f7' },
  noticeOk: { backgroundColor: '#e7f4ec' },
  noticeText: { color: colors.text, fontSize: 14, lineHeight: 20 },
  card: { backgroundColor: colors.card, borderRadius: 14, padding: 16, gap: 8, borderWidth: 1, borderColor: colors.border },
  row: { flexDirection: 'row', alignItems: 'center', gap: 8 },
  meter: { height: 8, borderRadius: 4, backgroundColor: colors.placeholder, overflow: 'hidden' },
  meterFill: { height: 8, backgroundColor: colors.accent },
  loading: { padding: 40, alignItems: 'center' },
});
