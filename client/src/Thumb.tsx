// A picture from a signed URL. Phones use expo-image (memory and disk cache);
// the web build uses Thumb.web.tsx.
import { Image } from 'expo-image';
import React from 'react';
import type { ImageStyle, StyleProp } from 'react-native';

export type ThumbProps = {
  uri: string;
  style: StyleProp<ImageStyle>;
  /** What the picture shows; "" when something around it already says so. */
  alt: string;
  fit?: 'cover' | 'contain';
  recyclingKey?: string;
};

export function Thumb({ uri, style, alt, fit = 'cover', recyclingKey }: ThumbProps) {
  return <Image source={uri} style={style} contentFit={fit} recyclingKey={recyclingKey} accessibilityLabel={alt || undefined} accessible={!!alt} />;
}
