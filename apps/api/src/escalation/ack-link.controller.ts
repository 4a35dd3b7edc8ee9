import { Controller, Get, Header, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { AckTokens, AlertService, DomainError } from '@vigie/domain';
import { Public } from '../http/auth.guard';
import { htmlPage } from '../http/html-page';

/**
 * The signed acknowledgement link of a notification. GET only shows a confirmation page (mail
 * scanners open links); POST acknowledges. The page says nothing about the youth.
 */
@ApiExcludeController()
@Public()
@Controller('a')
export class AckLinkController {
  constructor(
    private readonly tokens: AckTokens,
    private readonly alerts: AlertService,
  ) {}

  @Get(':token')
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  async confirm(@Param('token') token: string, @Res() res: Response) {
    try {
      this.tokens.verify(token);
    } catch (error) {
      return htmlPage(res, 404, 'Lien non valide', 'Ce lien d’accusé de réception n’est pas valide ou a expiré.');
    }
    return htmlPage(
      res,
      200,
      'Accuser réception de l’alerte',
      'En confirmant, vous indiquez que vous prenez en charge cette alerte : l’escalade s’arrête.',
      `<form method="post"><button type="submit">Je confirme la prise en charge</button></form>`,
    );
  }

  @Post(':token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async acknowledge(@Param('token') token: string, @Res() res: Response) {
    let claims;
    try {
      claims = this.tokens.verify(token);
    } catch {
      return htmlPage(res, 404, 'Lien non valide', 'Ce lien d’accusé de réception n’est pas valide ou a expiré.');
    }
    try {
      await this.alerts.acknowledgeAlert(claims.alertId, { via: 'link', referentId: claims.referentId });
      return htmlPage(res, 200, 'Alerte prise en charge', 'Merci : l’accusé de réception est enregistré et l’escalade est arrêtée.');
    } catch (error) {
      if (error instanceof DomainError && error.code === 'INVALID_TRANSITION') {
        return htmlPage(res, 409, 'Alerte déjà close', 'Cette alerte est déjà résolue : l’épisode est terminé.');
      }
      if (error instanceof DomainError && error.code === 'NOT_FOUND') {
        return htmlPage(res, 404, 'Lien non valide', 'Ce lien d’accusé de réception n’est plus valide.');
      }
      throw error;
    }
  }
}
