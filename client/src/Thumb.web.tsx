// The web: React Native Web's Image, which gives its <img> the alternative text
// (expo-image's web build leaves it out), and the browser's HTTP cache, which the
// signed URLs' stable windows are made for.
import React from 'react';
import { Image } from 'react-native';
import type { ThumbProps } from './Thumb';

export function Thumb({ uri, style, alt, fit = 'cover' }: ThumbProps) {
  return <Image source={{ uri }} style={style} resizeMode={fit} accessibilityLabel={alt || undefined} accessible={!!alt} alt={alt} />;
}
