import { type Provider } from '@nestjs/common';
import { ProxyReplay } from './proxy-replay';
import { VersionBumpWarming } from './version-bump-warming';
import { WarmRecorder } from './warm-recorder';

/** Warm-on-version-bump (inert unless a namespace sets `warmOnVersionBump`); the runtime binds WARM_RECORDINGS. */
export const WARM_PROVIDERS: Provider[] = [WarmRecorder, ProxyReplay, VersionBumpWarming];
