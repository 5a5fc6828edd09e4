// The settings form as data (settings.ts) and its link (url-settings.ts): reading, checking and writing.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../web/src/protocol';
import { DEFAULT_SETTINGS, fieldsNamed, readSettings, settingsFromConfig, SETTING_FIELDS } from '../../web/src/settings';
import { linkChecks, parseLink, writeLink } from '../../web/src/url-settings';

const EVERY_KEY =
  '?dataset=full&hidden=64&epochs=3&batch=50&lr=0.003&decay=0.00002&examples=5000&seed=7' +
  '&optimizer=momentum&momentum=0.95&schedule=onecycle&warmup=0.5&augment=shift';

describe('settings', () => {
  it('reads the default form into the reference settings', () => {
    expect(readSettings({ ...DEFAULT_SETTINGS, trainSize: '0' })).toEqual(DEFAULT_CONFIG);
  });

  it('names each field as the page does and keys it in the link as the issue says', () => {
    expect(SETTING_FIELDS.map((f) => [f.label, f.urlKey])).toEqual([
      ['Hidden units', 'hidden'], ['Epochs', 'epochs'], ['Batch size', 'batch'], ['Learning rate', 'lr'],
      ['Weight decay', 'decay'], ['Training examples', 'examples'], ['Seed', 'seed'], ['Optimizer', 'optimizer'],
      ['Momentum', 'momentum'], ['Schedule', 'schedule'], ['Warm-up', 'warmup'], ['Augmentation', 'augment'],
    ]);
  });

  it('refuses a value that is not a number, a fraction where a whole number goes, and an unknown choice', () => {
    const form = { ...DEFAULT_SETTINGS, trainSize: '100' };
    expect(readSettings(form)).toEqual({ ...DEFAULT_CONFIG, trainSize: 100 });
    expect(readSettings({ ...form, learningRate: '' })).toBe('Learning rate: enter a number.');
    expect(readSettings({ ...form, batch: '2.5' })).toBe('Batch size: enter a whole number, got 2.5.');
    expect(readSettings({ ...form, optimizer: 'rmsprop' })).toBe('Optimizer: choose sgd, momentum or adam, got rmsprop.');
    expect(readSettings({ ...form, trainSize: '' })).toBe('Training examples: enter a number.');
  });

  it('reads Momentum only for the momentum optimizer and Warm-up only for a schedule that has one', () => {
    const bad = { ...DEFAULT_SETTINGS, momentum: 'x', warmup: 'y', trainSize: '100' };
    expect(readSettings(bad)).toMatchObject({ momentum: 0.9, warmup: 1 });
    expect(readSettings({ ...bad, optimizer: 'momentum' })).toBe('Momentum: enter a number.');
    expect(readSettings({ ...bad, momentum: '0.5', optimizer: 'momentum', schedule: 'cosine' })).toBe('Warm-up: enter a number.');
    expect(readSettings({ ...bad, momentum: '0.5', warmup: '2', optimizer: 'momentum', schedule: 'cosine', augment: 'shift' })).toEqual({
      ...DEFAULT_CONFIG, trainSize: 100, optimizer: 'momentum', momentum: 0.5, schedule: 'cosine', warmup: 2, augment: true,
    });
  });

  it('turns a run\'s config back into the form\'s text, every image shown as the number loaded', () => {
    const config = { ...DEFAULT_CONFIG, optimizer: 'adam' as const, augment: true, learningRate: 0.001 };
    expect(settingsFromConfig(config, 20000)).toMatchObject({ optimizer: 'adam', augment: 'shift', learningRate: '0.001', trainSize: '20000' });
    expect(readSettings(settingsFromConfig({ ...config, trainSize: 300 }))).toEqual({ ...config, trainSize: 300 });
  });
  it('finds the fields an alert names, in the page\'s words and in the core\'s, one per line', () => {
    const alert =
      'This link has settings the page cannot use; those fields keep their defaults:\n' +
      'Batch size: enter a whole number, got 2.5.\n' +
      'Invalid setting: learning rate must be a finite number above 0, got -1.\n' +
      'Invalid setting: training examples after the validation split (17) must be at least the batch size (32).';
    expect(fieldsNamed(alert)).toEqual(['batch', 'learningRate', 'trainSize']);
    expect(fieldsNamed('Invalid setting: warm-up must be at least 0 and fewer than the 3 epochs, got 5.')).toEqual(['warmup']);
    expect(fieldsNamed('Could not import m.mnst: the file is too short. The current model is kept.')).toEqual([]);
    expect(fieldsNamed(null)).toEqual([]);
  });
});

describe('the link', () => {
  it('reads every key into the form', () => {
    const link = parseLink(EVERY_KEY);
    expect(link.errors).toEqual([]);
    expect(link.dataSet).toBe('full');
    expect(link.settings).toEqual({
      hidden: '64', epochs: '3', batch: '50', learningRate: '0.003', decay: '0.00002', trainSize: '5000', seed: '7',
      optimizer: 'momentum', momentum: '0.95', schedule: 'onecycle', warmup: '0.5', augment: 'shift',
    });
  });

  it('gives a bad value the message a typed one gets and leaves its field out', () => {
    const link = parseLink('?batch=2.5&lr=abc&hidden=0x10&optimizer=rmsprop&augment=yes&dataset=all&epochs=4');
    expect(link.errors).toEqual([
      'Dataset: choose subset or full, got all.',
      'Hidden units: enter a number.', // 0x10 is no number a number input takes
      'Batch size: enter a whole number, got 2.5.',
      'Learning rate: enter a number.',
      'Optimizer: choose sgd, momentum or adam, got rmsprop.',
      'Augmentation: choose off or shift, got yes.',
    ]);
    expect(link.settings).toEqual({ epochs: '4' });
    expect(link.dataSet).toBeNull();
    expect(readSettings({ ...DEFAULT_SETTINGS, batch: '2.5' })).toBe(link.errors[2]);
  });

  it('writes only what differs from the defaults, keeping the keys it does not own where they were', () => {
    expect(writeLink('', DEFAULT_SETTINGS, 'subset', false)).toBe('');
    expect(writeLink('?threads=2&nosimd', { ...DEFAULT_SETTINGS, learningRate: '0.05', decay: '1e-4' }, 'subset', false)).toBe(
      '?threads=2&nosimd&lr=0.05',
    );
    expect(writeLink('?lr=0.3&debug', { ...DEFAULT_SETTINGS, trainSize: '20000' }, 'full', true)).toBe('?debug&dataset=full&examples=20000');
    expect(writeLink('', { ...DEFAULT_SETTINGS, trainSize: '20000' }, 'subset', false)).toBe(''); // examples follow the set
  });

  it('round-trips every key', () => {
    const link = parseLink(EVERY_KEY);
    const written = writeLink('?threads=1', { ...DEFAULT_SETTINGS, ...link.settings }, link.dataSet!, true);
    expect(new URLSearchParams(written).get('threads')).toBe('1');
    expect(parseLink(written)).toEqual(link);
  });

  it('encodes what it writes', () => {
    const written = writeLink('', { ...DEFAULT_SETTINGS, learningRate: '1 &x=2' }, 'subset', false);
    expect(written).toBe('?lr=1%20%26x%3D2');
    expect(parseLink(written).errors).toEqual(['Learning rate: enter a number.']);
  });

  it('checks each setting the link gives in the defaults, under the link\'s optimizer and schedule', () => {
    const checks = linkChecks(parseLink('?momentum=1.5&optimizer=momentum&epochs=0&warmup=3'));
    // warmup: the default schedule (constant) does not read it, so neither does Train: not checked.
    expect(checks.map((c) => [c.key, c.text])).toEqual([['epochs', '0'], ['optimizer', 'momentum'], ['momentum', '1.5']]);
    const momentum = checks.find((c) => c.key === 'momentum')!.config;
    expect(momentum).toEqual({ ...DEFAULT_CONFIG, optimizer: 'momentum', momentum: 1.5 });
    expect(checks.find((c) => c.key === 'epochs')!.config).toEqual({ ...DEFAULT_CONFIG, optimizer: 'momentum', epochs: 0 });
    expect(linkChecks(parseLink('?threads=2&batch=2.5'))).toEqual([]); // a format error is parseLink's alone
  });
});
