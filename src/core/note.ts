export interface Note {
  level: 'info' | 'warn';
  message: string;
}
